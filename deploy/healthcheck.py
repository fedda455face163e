"""Container health check of the web service: GET /readyz on the local gunicorn.

Exit 0 when ready (200), 1 otherwise. The Host header is the first of ALLOWED_HOSTS, so
Django's host check accepts the request; /readyz is exempt from the HTTPS redirect.
"""

import os
import sys
import urllib.error
import urllib.request

hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
host = next((h.lstrip(".") for h in hosts if h != "*"), "localhost")
port = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1]
request = urllib.request.Request(
    f"http://127.0.0.1:{port}/readyz", headers={"Host": host, "X-Forwarded-Proto": "https"}
)
try:
    # A fixed http URL on the loopback.
    with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310
        sys.exit(0 if response.status == 200 else 1)
except (urllib.error.URLError, OSError) as exc:
    print(f"not ready: {exc}", file=sys.stderr)
    sys.exit(1)
