#!/usr/bin/env bash
# Builds the production images (Dockerfile targets `app` and `nginx`) and proves them: runs
# `migrate`, `web`, `worker` and `beat` from the app image with the settings docker-compose.yml
# gives them, against this machine's PostgreSQL and Redis, nginx from its image in front, and
# walks a citizen's and an officer's journey through nginx (deploy/images_journey.py).
#
#   deploy/ci-images.sh            # or: make images
#
# Environment:
#   DATABASE_URL   the PostgreSQL server (default postgres://postgres@127.0.0.1:5432); its
#                  database IMAGES_DB (default motcua_images) is dropped and created again
#   REDIS_URL      the Redis server (default redis://127.0.0.1:6379); its database
#                  IMAGES_REDIS_DB (default 12) is emptied
#   IMAGES_PULL    auto (default): pull the official base images, once, with a time limit;
#                  never: do not try, use images already present or the Debian stand-ins
#   IMAGES_SKIP_WITHOUT_DOCKER  1 (default): without a usable Docker engine, say why and exit 0
#
# First `docker compose config` checks docker-compose.yml. Official base images
# (python:3.11-slim-bookworm, nginx:1.27-bookworm) are used when present or pullable. Where no
# public container registry can be reached, stand-ins are built here from Debian's packages
# (debootstrap) and kept under their tags, so the next run reuses them:
#   motcua-standin/python:3.11-bookworm-N  Debian bookworm's Python 3.11, a venv on PATH
#   motcua-standin/debian:trixie-N         Debian trixie, the base of the two below
#   motcua-standin/nginx:trixie-N          trixie's nginx (1.26; `http2 on` needs 1.25.1)
#   motcua-tools/compose:trixie-N          trixie's docker-compose (v2), if the engine has none
# Needs root for apt-get, debootstrap and dockerd; ports 80, 443 and 8000 of the loopback.
# Logs and the run's files: var/ci-images/ (IMAGES_LOG_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGES_PULL=${IMAGES_PULL:-auto}
PYTHON_IMAGE=python:3.11-slim-bookworm
NGINX_IMAGE=nginx:1.27-bookworm
# A new recipe of a stand-in gets a new tag (the old one is simply left unused).
STANDIN_PYTHON=motcua-standin/python:3.11-bookworm-2
STANDIN_TRIXIE=motcua-standin/debian:trixie-1
STANDIN_NGINX=motcua-standin/nginx:trixie-2
COMPOSE_TOOL=motcua-tools/compose:trixie-1
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
APP_TAG=motcua-app:ci
NGINX_TAG=motcua-nginx:ci

log() { printf '\n--- images: %s (%ss)\n' "$*" "$SECONDS"; }
skip() {
  printf '\nimages: SKIPPED: %s\n' "$*"
  [ "${IMAGES_SKIP_WITHOUT_DOCKER:-1}" = 1 ] && exit 0
  exit 1
}

# --- the Docker engine: use it, or install and start it ------------------------------------
docker_usable() { timeout 20 docker info >/dev/null 2>&1; }

docker_start() {
  docker_usable && return 0
  if ! command -v dockerd >/dev/null; then
    command -v apt-get >/dev/null && [ "$(id -u)" = 0 ] \
      || skip "no Docker engine, and no root apt-get to install Debian's docker.io"
    log "installing Debian's docker.io"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io \
      >/dev/null || skip "apt-get install docker.io failed"
  fi
  command -v docker >/dev/null || skip "no docker client"
  [ "$(id -u)" = 0 ] || skip "the Docker engine is down and only root can start it"
  log "starting dockerd (host networking only)"
  # No bridge and no iptables: a sandbox may not allow them; containers use the host's network.
  # The storage driver is the engine's choice: overlay2 where the kernel allows it, else vfs.
  dockerd --iptables=false --ip6tables=false --bridge=none \
    >>/var/log/motcua-dockerd.log 2>&1 &
  dockerd_pid=$!
  trap docker_stop EXIT
  for _ in $(seq 1 60); do docker_usable && return 0; sleep 1; done
  skip "dockerd did not start: $(tail -n 5 /var/log/motcua-dockerd.log | tr '\n' ' ')"
}

# The engine this script started stops with it (its images stay, for the next run).
dockerd_pid=
docker_stop() {
  [ -n "$dockerd_pid" ] || return 0
  kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null
  dockerd_pid=
}

# --- base images: official ones if we have or can pull them, else stand-ins -----------------
registry_reachable=unknown

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

try_pull() {
  [ "$IMAGES_PULL" = never ] && return 1
  [ "$registry_reachable" = no ] && return 1
  # One try with a time limit: an unreachable registry must cost seconds, not a hang.
  if timeout 120 docker pull -q "$1" >/dev/null 2>&1; then
    registry_reachable=yes
    return 0
  fi
  registry_reachable=no
  echo "images: cannot pull $1; using Debian stand-ins for the official base images"
  return 1
}

ensure_debootstrap() {
  command -v debootstrap >/dev/null && return 0
  log "installing debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap \
    >/dev/null
}

# debootstrap SUITE PACKAGES ROOTFS: a minimal Debian with the machine's certificate
# authorities (its package and PyPI traffic may pass a proxy that only the host trusts).
debian_rootfs() {
  local suite=$1 packages=$2 rootfs=$3
  ensure_debootstrap
  debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$DEBIAN_MIRROR" \
    >"$rootfs.log" 2>&1 || { tail -n 20 "$rootfs.log"; return 1; }
  if [ -d /usr/local/share/ca-certificates ]; then
    cp -a /usr/local/share/ca-certificates/. "$rootfs/usr/local/share/ca-certificates/"
  fi
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  printf 'deb %s %s main\n' "$DEBIAN_MIRROR" "$suite" >"$rootfs/etc/apt/sources.list"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
}

standin_python() {
  have_image "$STANDIN_PYTHON" && return 0
  log "building the stand-in $STANDIN_PYTHON from Debian bookworm"
  local rootfs
  rootfs=$(mktemp -d /var/tmp/motcua-rootfs.XXXXXX)
  debian_rootfs bookworm python3,python3-venv,ca-certificates "$rootfs/fs"
  # As in the official image: `python` and `pip` on PATH install into the image's Python, and
  # pip, setuptools and wheel are current (bookworm's pip 23.0 cannot build some sdists).
  cp /etc/resolv.conf "$rootfs/fs/etc/resolv.conf"
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 sh -c "chroot '$rootfs/fs' python3 -m venv \
    /opt/python && chroot '$rootfs/fs' /opt/python/bin/pip install -q --upgrade pip setuptools wheel" \
    || { rm -rf "$rootfs"; return 1; }
  rm -f "$rootfs/fs/etc/resolv.conf"
  tar -C "$rootfs/fs" -c . | docker import \
    --change 'ENV PATH=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["python3"]' \
    - "$STANDIN_PYTHON" >/dev/null
  rm -rf "$rootfs"
}

# Debian trixie: the base of the nginx stand-in and of the compose tool.
standin_trixie() {
  have_image "$STANDIN_TRIXIE" && return 0
  log "building $STANDIN_TRIXIE"
  local rootfs
  rootfs=$(mktemp -d /var/tmp/motcua-rootfs.XXXXXX)
  debian_rootfs trixie ca-certificates "$rootfs/fs"
  tar -C "$rootfs/fs" -c . | docker import --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["bash"]' - "$STANDIN_TRIXIE" >/dev/null
  rm -rf "$rootfs"
}

# derive TAG DOCKERFILE: an image built FROM the trixie base (Dockerfile on stdin).
derive() {
  standin_trixie
  log "building $1"
  docker build --network host --build-arg BASE="$STANDIN_TRIXIE" --tag "$1" - \
    >"$logdir/build-$(echo "$1" | tr '/:' '--').log" 2>&1 <<<"$2" \
    || { tail -n 20 "$logdir/build-$(echo "$1" | tr '/:' '--').log"; return 1; }
}

standin_nginx() {
  have_image "$STANDIN_NGINX" && return 0
  # As in the official image: logs to the container's output, the cache directory, no site
  # but what the Dockerfile adds, a graceful stop on SIGQUIT.
  derive "$STANDIN_NGINX" 'ARG BASE
FROM $BASE
RUN apt-get update && apt-get install -y --no-install-recommends nginx \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default \
 && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log \
 && mkdir -p /var/cache/nginx
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]'
}

# `docker compose` (v2) to validate docker-compose.yml: the engine's plugin when installed,
# else Debian trixie's docker-compose package in a container (bookworm only has v1, which
# does not know the compose specification's `name`).
compose_tool() {
  if docker compose version >/dev/null 2>&1; then
    compose=(docker compose --file docker-compose.yml --project-directory "$logdir")
    return 0
  fi
  have_image "$COMPOSE_TOOL" || derive "$COMPOSE_TOOL" 'ARG BASE
FROM $BASE
RUN apt-get update && apt-get install -y --no-install-recommends docker-compose \
 && rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["docker-compose"]'
  compose=(docker run --rm --network none -v "$PWD:/src:ro" -v "$(realpath "$logdir"):/work:ro"
    -w /src "$COMPOSE_TOOL" --file /src/docker-compose.yml --project-directory /work)
}

# --- the images -------------------------------------------------------------------------------
# Only the Debian and PyPI registries are reached from the builds, through the host's network.
build() {
  local target=$1 tag=$2
  log "building $tag (target $target)"
  docker build --network host --target "$target" \
    --build-arg PYTHON_IMAGE="$python_base" --build-arg NGINX_IMAGE="$nginx_base" \
    --tag "$tag" . >"$logdir/build-$target.log" 2>&1 \
    || { tail -n 40 "$logdir/build-$target.log"; echo "images: building $target failed"; exit 1; }
}

# The whole run, read before it starts (the file may change while it runs).
main() {
  logdir=${IMAGES_LOG_DIR:-var/ci-images}
  mkdir -p "$logdir"
  python=${PYTHON:-.venv/bin/python}
  docker_start
  for image in "$PYTHON_IMAGE" "$NGINX_IMAGE"; do
    have_image "$image" || try_pull "$image" || break
  done
  python_base=$PYTHON_IMAGE
  nginx_base=$NGINX_IMAGE
  python_job=
  # On a new machine both Debian stand-ins are made side by side (mostly downloads). debootstrap
  # is installed first, once: two apt-get runs at the same time fail on apt's lock.
  if ! have_image "$PYTHON_IMAGE" || ! have_image "$NGINX_IMAGE"; then
    ensure_debootstrap
  fi
  if ! have_image "$PYTHON_IMAGE"; then
    python_base=$STANDIN_PYTHON
    have_image "$STANDIN_PYTHON" || { standin_python & python_job=$!; }
  fi
  if ! have_image "$NGINX_IMAGE"; then
    nginx_base=$STANDIN_NGINX
    standin_nginx
  fi
  if [ -n "$python_job" ]; then
    wait "$python_job" || { echo "images: building $STANDIN_PYTHON failed"; exit 1; }
  fi
  log "bases: $python_base, $nginx_base"

  # --- docker-compose.yml is valid, with a production-like .env ------------------------------
  compose_tool
  "$python" deploy/images_stack.py --write-env "$logdir/.env"
  log "docker compose config (compose $("${compose[@]}" version --short))"
  "${compose[@]}" --profile tools config --quiet

  # --- the images -----------------------------------------------------------------------------
  build app "$APP_TAG"
  build nginx "$NGINX_TAG"
  log "built $APP_TAG and $NGINX_TAG"

  # --- the run -------------------------------------------------------------------------------
  log "running the images (logs in $logdir)"
  if ! "$python" deploy/images_stack.py --app-image "$APP_TAG" --nginx-image "$NGINX_TAG" \
    --work-dir "$logdir"; then
    for service in migrate web worker beat nginx; do
      [ -s "$logdir/$service.log" ] && { echo "--- $service (last lines)"; tail -n 30 "$logdir/$service.log"; }
    done
    echo "images: FAILED after ${SECONDS}s"
    exit 1
  fi
  log "images passed in ${SECONDS}s"
}

main "$@"; exit
