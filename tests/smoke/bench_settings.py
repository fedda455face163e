"""Settings of the servers the benchmarks in bench/ start: production's, with the per-client
rates raised so that one load generator (one address) is not throttled. The throttles still
run and still count in Redis, so their cost is measured."""

from portal.settings import *  # noqa: F403
from portal.settings import REST_FRAMEWORK

_RATES = dict.fromkeys(REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000000/min")
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": _RATES}
BENCH_BARE_VIEW = True
