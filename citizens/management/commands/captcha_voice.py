"""Record the Vietnamese voice clips of the audio captcha (needs espeak-ng and sox).

The clips are committed (citizens/voice/), so servers never run this: it is for changing the
voice or the wording. `manage.py captcha_voice` rewrites every clip.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from citizens.captcha import LETTER_NAMES, PHRASES, VOICE_DIR

RATE = "11025"


class Command(BaseCommand):
    help = "Record the captcha's Vietnamese voice clips with espeak-ng (needs espeak-ng, sox)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--voice", default="vi", help="espeak-ng voice (default vi)")
        parser.add_argument("--speed", default="125", help="words per minute")

    def handle(self, *args: Any, **options: Any) -> None:
        espeak, sox = shutil.which("espeak-ng"), shutil.which("sox")
        if not espeak or not sox:
            raise CommandError("espeak-ng and sox are needed (apt-get install espeak-ng sox).")
        VOICE_DIR.mkdir(exist_ok=True)
        texts = {**LETTER_NAMES, **PHRASES}
        with tempfile.TemporaryDirectory() as tmp:
            for name, text in texts.items():
                raw = Path(tmp) / f"{name}.wav"
                subprocess.run(
                    [
                        espeak,
                        "-v",
                        options["voice"],
                        "-s",
                        options["speed"],
                        "-w",
                        str(raw),
                        text,
                    ],
                    check=True,
                )
                # Trim the silence espeak adds, resample to a telephone-like rate, mono 16-bit.
                subprocess.run(
                    [
                        sox,
                        str(raw),
                        "-r",
                        RATE,
                        "-b",
                        "16",
                        "-c",
                        "1",
                        str(VOICE_DIR / f"{name}.wav"),
                        "gain",
                        "-2",
                        "silence",
                        "1",
                        "0.02",
                        "0.5%",
                        "reverse",
                        "silence",
                        "1",
                        "0.02",
                        "0.5%",
                        "reverse",
                    ],
                    check=True,
                )
        self.stdout.write(f"{len(texts)} clips written to {VOICE_DIR}")
