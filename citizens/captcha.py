"""The captcha of the citizens' pages and API (django-simple-captcha), with a spoken version.

One challenge answers once: checked right or wrong, it is deleted, so a challenge cannot be
brute-forced. settings.MOTCUA_CAPTCHA_TEST_MODE (automated tests only, off unless DEBUG) makes
the answer PASSED acceptable.

The audio alternative. django-simple-captcha speaks through the `flite` program, which reads
letters in English and is not on our servers. Instead each letter is spoken in Vietnamese
("bê", "xê", "dê"...) from short recordings shipped with the code (citizens/voice/*.wav, made
once by espeak-ng's Vietnamese voice with `manage.py captcha_voice`), joined here with the
standard library's `wave` module: it works offline, on every machine, with no program to
install. Each reading gets a random pause between letters and a little random noise, so two
readings of the same letter are not byte-identical.
"""

from __future__ import annotations

import array
import io
import random
import secrets
import wave
from functools import cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

VOICE_DIR = Path(__file__).resolve().parent / "voice"
TEST_ANSWER = "PASSED"

# How each letter is read out in Vietnamese (the names taught at school).
LETTER_NAMES: dict[str, str] = {
    "A": "a",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "E": "e",
    "F": "ép",
    "G": "giê",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "e lờ",
    "M": "em mờ",
    "N": "en nờ",
    "O": "o",
    "P": "pê",
    "Q": "quy",
    "R": "e rờ",
    "S": "ét xì",
    "T": "tê",
    "U": "u",
    "V": "vê",
    "W": "vê kép",
    "X": "ích xì",
    "Y": "i dài",
    "Z": "dét",
    "0": "không",
    "1": "một",
    "2": "hai",
    "3": "ba",
    "4": "bốn",
    "5": "năm",
    "6": "sáu",
    "7": "bảy",
    "8": "tám",
    "9": "chín",
}
# Spoken before the letters, and before they are repeated once.
PHRASES: dict[str, str] = {
    "intro": "Mã xác nhận gồm các ký tự sau",
    "again": "Nhắc lại",
}


def captcha_new() -> dict[str, str]:
    """A fresh challenge: its key and where to fetch its picture and its sound."""
    from captcha.models import CaptchaStore

    key = CaptchaStore.generate_key()
    return {
        "key": key,
        "image_url": reverse("captcha-image", kwargs={"key": key}),
        "audio_url": reverse("citizen-captcha-audio", kwargs={"key": key}),
    }


def captcha_check(*, key: str, value: str) -> bool:
    """True when `value` answers challenge `key`. The challenge is used up either way."""
    from captcha.models import CaptchaStore

    answer = (value or "").strip()
    if settings.MOTCUA_CAPTCHA_TEST_MODE and answer.upper() == TEST_ANSWER:
        return True
    if not key or not answer:
        return False
    store = (
        CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now())
        .only("pk", "response")
        .first()
    )
    # Used up by whoever deletes it first: two requests racing with one challenge get one
    # answer. Expired challenges are purged by the beat task captcha_purge_expired.
    if store is None or not CaptchaStore.objects.filter(pk=store.pk).delete()[0]:
        return False
    return secrets.compare_digest(store.response.encode(), answer.lower().encode())


def captcha_purge_expired() -> int:
    """Delete the expired challenges; how many there were."""
    from captcha.models import CaptchaStore

    return CaptchaStore.objects.filter(expiration__lte=timezone.now()).delete()[0]


def captcha_challenge_text(key: str) -> str | None:
    from captcha.models import CaptchaStore

    store = CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now()).first()
    return store.challenge if store else None


@cache
def _clip(name: str) -> tuple[tuple[int, int, int], bytes]:
    with wave.open(str(VOICE_DIR / f"{name}.wav"), "rb") as w:
        return (w.getnchannels(), w.getsampwidth(), w.getframerate()), w.readframes(w.getnframes())


def captcha_audio_wav(challenge: str) -> bytes:
    """The challenge spoken in Vietnamese, twice, as a mono 16-bit WAV."""
    rng = random.SystemRandom()
    params, _intro = _clip("intro")
    channels, width, rate = params
    if channels != 1 or width != 2:
        raise ValueError("voice clips must be mono 16-bit")
    samples = array.array("h")

    def pause(seconds: float) -> None:
        samples.extend(array.array("h", bytes(2 * int(rate * seconds))))

    def say(name: str) -> None:
        clip_params, frames = _clip(name)
        if clip_params != params:
            raise ValueError(f"voice clip {name} differs in format")
        samples.extend(array.array("h", frames))

    letters = [c for c in challenge.upper() if c in LETTER_NAMES]
    say("intro")
    for round_ in range(2):
        if round_:
            pause(0.8)
            say("again")
        for letter in letters:
            pause(rng.uniform(0.35, 0.7))
            say(letter)
    pause(0.3)
    # Faint noise: defeats comparing the file with the clips byte for byte, not a listener.
    for i in range(len(samples)):
        value = samples[i] + rng.randint(-300, 300)
        samples[i] = max(-32768, min(32767, value))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return out.getvalue()
