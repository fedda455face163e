"""Settings of the servers the benchmarks in bench/ start: production's, with the per-client
rates and upload quotas raised so that one load generator (one address) is not throttled. The
throttles and quotas still run and still count in Redis, so their cost is measured."""

from portal.settings import *  # noqa: F403
from portal.settings import REST_FRAMEWORK

_RATES = dict.fromkeys(REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000000/min")
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": _RATES}
UPLOAD_CLIENT_MAX_FILES = UPLOAD_CLIENT_MAX_BYTES = 10**15
BENCH_BARE_VIEW = True
