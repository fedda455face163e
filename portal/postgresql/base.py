"""Django's PostgreSQL backend with a cheaper connection health check.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every request
that reuses a connection: one more round trip for each request, a third of the work of a
one-query request such as the citizens' status look-up.

A connection the server has closed (a restart, `pg_terminate_backend`, an idle timeout) is
told by its socket: the server's last message and the end of the stream make it readable
while nothing is expected. So a connection used a moment ago whose socket is quiet is taken
as healthy without asking the server; one that is readable, or idle for longer than
DB_HEALTH_CHECK_IDLE_SECONDS (a dropped network path says nothing on the socket), gets
Django's `SELECT 1` as before. After a request whose query failed, Django's own check at the
request's end still asks the server (`close_if_unusable_or_obsolete`).
"""

from __future__ import annotations

import select
import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    used_at: float = 0.0

    def create_cursor(self, name=None):
        self.used_at = time.monotonic()
        return super().create_cursor(name)

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self.socket_quiet_since_recent_use()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def socket_quiet_since_recent_use(self) -> bool:
        idle_limit = getattr(settings, "DB_HEALTH_CHECK_IDLE_SECONDS", 10)
        if time.monotonic() - self.used_at > idle_limit:
            return False
        try:
            readable, _, _ = select.select([self.connection.pgconn.socket], [], [], 0)
        except Exception:  # a closed or broken connection: let Django's check decide
            return False
        return not readable
