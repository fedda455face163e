"""The client load of bench/faults_run.py: threads submitting dossiers online, each retried
with the same Idempotency-Key until acknowledged."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter

from _common import COMMUNE_CODE, KeepAlive, multipart, pdf_bytes


class Load:
    """Client threads submitting dossiers; retry until acknowledged (same Idempotency-Key)."""

    def __init__(
        self,
        *,
        port: int,
        clients: int,
        rate: float,
        procedure,
        document,
        captchas: list[tuple[str, str]],
        run_id: str,
        size: int,
    ) -> None:
        self.client = KeepAlive("127.0.0.1", port, timeout=30)
        self.clients, self.interval = clients, clients / rate
        self.procedure, self.document, self.captchas = procedure, document, captchas
        self.run_id, self.attachment = run_id, pdf_bytes(size)
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.next_submission = 0
        self.next_captcha = 0
        self.acknowledged: dict[str, str] = {}  # idempotency key -> code
        self.answers: Counter[str] = Counter()
        self.timeline: list[tuple[float, str]] = []
        self.threads = [threading.Thread(target=self.loop, daemon=True) for _ in range(clients)]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def stop(self, *, grace: float = 120) -> None:
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=grace)

    def captcha(self) -> tuple[str, str]:
        with self.lock:
            self.next_captcha += 1
            return self.captchas[self.next_captcha % len(self.captchas)]

    def loop(self) -> None:
        while not self.stop_event.is_set():
            with self.lock:
                self.next_submission += 1
                n = self.next_submission
            key = f"{self.run_id}-{n}"
            started = time.monotonic()
            self.submit(n, key)
            time.sleep(max(0.0, self.interval - (time.monotonic() - started)))

    def submit(self, n: int, key: str) -> None:
        deadline = time.monotonic() + 180  # a submission in progress is finished, bounded
        while time.monotonic() < deadline:
            captcha_key, answer = self.captcha()
            fields = {
                "procedure": self.procedure.code,
                "unit": COMMUNE_CODE,
                "applicant_name": "Nguyễn Văn Lỗi",
                "applicant_id_number": "012345678901",
                "applicant_phone": f"098{n % 10_000_000:07d}",
                "applicant_address": "Bản Nà Bó, xã (bench)",
                "delivery": "counter",
                "payment_method": "none",
                "declaration": "true",
                "captcha_key": captcha_key,
                "captcha_value": answer,
            }
            body, content_type = multipart(
                fields,
                {
                    f"document_{self.document.pk}": (
                        "to-khai.pdf",
                        self.attachment,
                        "application/pdf",
                    )
                },
            )
            try:
                status, raw = self.client.request(
                    "POST",
                    "/api/v1/dossiers/",
                    body=body,
                    headers={
                        "Content-Type": content_type,
                        "Accept": "application/json",
                        "Idempotency-Key": key,
                    },
                )
            except Exception as exc:
                self.note(f"error {type(exc).__name__}")
                time.sleep(0.5)
                continue
            self.note(str(status))
            if status in (200, 201):
                with self.lock:
                    self.acknowledged[key] = json.loads(raw)["code"]
                return
            if status == 400:  # e.g. a captcha used up by an attempt that failed later
                continue
            time.sleep(0.5)
        self.note("gave up")

    def note(self, what: str) -> None:
        with self.lock:
            self.answers[what] += 1
            self.timeline.append((time.monotonic(), what))
