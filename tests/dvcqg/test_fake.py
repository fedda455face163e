"""The fake DVCQG's own behaviour that the worker tests rely on."""

from __future__ import annotations

import threading

import requests

from tests.fakes.dvcqg import FakeDvcqg

PROGRESS = "CapNhatTienDoHoSoMC"


def _post(fake: FakeDvcqg) -> None:
    # A malformed body is enough: the fake records and answers it like any call.
    requests.post(fake.url + "/bare/progress", json=[], headers={"dstcode": "H33"}, timeout=10)


def test_the_held_answer_is_the_first_call_after_hang_not_a_late_answer_still_waiting():
    with FakeDvcqg(slow_seconds=1.0) as fake:
        fake.script("timeout", service=PROGRESS)
        late = threading.Thread(target=_post, args=(fake,))
        late.start()
        fake.wait_for(lambda: len(fake.received) == 1, timeout=5, what="the late call")
        fake.hang(PROGRESS)  # while the late answer is still on its way
        late.join(timeout=5)
        assert not late.is_alive(), "the late call took the hold meant for the next one"

        held = threading.Thread(target=_post, args=(fake,))
        held.start()
        fake.wait_hung(timeout=5)
        assert held.is_alive()
        fake.release()
        held.join(timeout=5)
        assert not held.is_alive()
