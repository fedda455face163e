"""The status listener: PostgreSQL's change notifications → the fast look-up's generations.

`manage.py status_listener` (its own process, like beat; any number may run) LISTENs on the
channel the triggers of citizens/migrations/0002_status_notify.py notify at each commit, and
moves the changed dossier's generation on in Redis (citizens.lookup_fast). While connected to
both it refreshes a heartbeat every second; the web uses the fast path only while the
heartbeat lives. When it loses PostgreSQL or Redis it drops the heartbeat (if it can; else the
heartbeat dies within lookup_fast.HEARTBEAT_SECONDS), waits, and starts again: listening
first, then moving the epoch on (it may have missed notifications), then beating.
"""

from __future__ import annotations

import logging
import threading

import psycopg
from django.db import connection

from citizens import lookup_fast

logger = logging.getLogger(__name__)

CHANNEL = "motcua_status"
APPLICATION_NAME = "motcua-status-listener"  # how its connection shows in pg_stat_activity
BEAT_SECONDS = 1.0
RETRY_SECONDS = 1.0


def status_listener_run(*, stop: threading.Event) -> None:
    """Listen until `stop` is set; every failure is logged and retried."""
    while not stop.is_set():
        try:
            _listen(stop)
        except Exception:
            logger.warning(
                "status listener lost PostgreSQL or Redis; the fast look-up is off "
                "until it is back",
                exc_info=True,
            )
            _heartbeat_drop()
            stop.wait(RETRY_SECONDS)
    _heartbeat_drop()


def _heartbeat_drop() -> None:
    try:
        lookup_fast.heartbeat(alive=False)
    except Exception:  # Redis down: the heartbeat expires on its own
        logger.debug("heartbeat not dropped", exc_info=True)


def _listen(stop: threading.Event) -> None:
    params = {**connection.get_connection_params(), "application_name": APPLICATION_NAME}
    with psycopg.connect(**params, autocommit=True) as listen:
        listen.execute(f"LISTEN {CHANNEL}")
        lookup_fast.epoch_advance()
        logger.info("status listener: listening on %s", CHANNEL)
        while not stop.is_set():
            listen.execute("SELECT 1")  # a dead connection fails here, not silently
            lookup_fast.heartbeat(alive=True)
            for notify in listen.notifies(timeout=BEAT_SECONDS):
                lookup_fast.generation_advance(notify.payload)
