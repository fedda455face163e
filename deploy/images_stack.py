"""Run the built images as docker-compose.yml describes their services, then walk the journey.

Used by deploy/ci-images.sh once it has built the `app` and `nginx` images. Each service is
started with `docker run`, with what the compose file gives it: its environment (the compose
file's own interpolation of ${...}, the env file), command, user, volumes, read-only root file
system, tmpfs, capabilities and security options; a key of a service this script does not
know stops it, so nothing in the compose file is silently left out. Its health check is run
inside its container, as the engine would.

What differs from `docker compose up`, because PostgreSQL, Redis and MinIO are not containers
here: every container shares the host's network, where the compose services' names (web, db,
redis, minio) resolve to 127.0.0.1; DATABASE_URL names the machine's PostgreSQL (compose builds
it for its own `db`); the attachments use the local storage on the `media` volume (the compose
file's STORAGE_BACKEND, from the env file); TLS uses a certificate made for localhost.

    python deploy/images_stack.py --app-image motcua-app:ci --nginx-image motcua-nginx:ci \\
        --work-dir var/ci-images

It uses the PostgreSQL server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432)
with its own database IMAGES_DB (default motcua_images: dropped and created again), and the
Redis server of REDIS_URL (default redis://127.0.0.1:6379) with its own database
IMAGES_REDIS_DB (default 12: emptied).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import images_journey

BASE_DIR = Path(__file__).resolve().parent.parent
PREFIX = "motcua-images"
# The compose services' names, as they resolve on the compose network.
SERVICE_HOSTS = ("web", "db", "redis", "minio")
# Keys of a service that only `docker compose` itself uses (build, ordering, restarts, logs,
# published ports: the host's network needs none).
COMPOSE_ONLY = {
    "build",
    "image",
    "restart",
    "logging",
    "depends_on",
    "deploy",
    "expose",
    "ports",
    "healthcheck",
    "stop_grace_period",
    "env_file",
}
APP_SERVICES = ("migrate", "web", "worker", "beat")


def log(message: str) -> None:
    print(f"--- images: {message}", flush=True)


def run(*args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - docker and openssl, with our own arguments
        args, capture_output=True, text=True, check=check, timeout=timeout
    )


# --- the compose file ---------------------------------------------------------------------

_VARIABLE = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\})")


def interpolate(value: object, env: dict[str, str]) -> object:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match) -> str:
        dollar, name, operator, argument = match.groups()
        if dollar:
            return "$"
        current = env.get(name)
        missing = current is None or (
            operator is not None and operator.startswith(":") and not current
        )
        if operator in (":-", "-"):
            return argument if missing else current
        if operator in (":?", "?") and missing:
            raise SystemExit(f"images: compose needs {name}: {argument}")
        return current or ""

    return _VARIABLE.sub(replace, value)


def compose_services(path: Path, env: dict[str, str]) -> dict[str, dict]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))  # resolves anchors and <<
    return interpolate(document["services"], env)


def env_pairs(environment: dict | list | None) -> dict[str, str]:
    if isinstance(environment, list):
        return dict(item.split("=", 1) for item in environment)
    return {key: "" if value is None else str(value) for key, value in (environment or {}).items()}


@dataclass
class Service:
    """One compose service as `docker run` arguments."""

    name: str
    spec: dict
    image: str
    env_file: Path
    overrides: dict[str, str]
    binds: dict[str, str] = field(default_factory=dict)

    @property
    def container(self) -> str:
        return f"{PREFIX}-{self.name}"

    def run_args(self, *, detach: bool, name: str | None = None) -> list[str]:
        args = ["docker", "run", "--network", "host"]
        args += ["--detach"] if detach else ["--rm"]
        args += ["--name", name or self.container]
        for host in SERVICE_HOSTS:
            args += ["--add-host", f"{host}:127.0.0.1"]
        for key, value in self.spec.items():
            if key in COMPOSE_ONLY or key in ("command", "environment", "volumes"):
                continue
            if key == "read_only":
                args += ["--read-only"] if value else []
            elif key == "tmpfs":
                for path in [value] if isinstance(value, str) else value:
                    args += ["--tmpfs", path]
            elif key == "cap_drop":
                args += [f"--cap-drop={cap}" for cap in value]
            elif key == "cap_add":
                args += [f"--cap-add={cap}" for cap in value]
            elif key == "security_opt":
                args += [f"--security-opt={opt}" for opt in value]
            elif key == "user":
                args += ["--user", str(value)]
            elif key == "shm_size":
                args += ["--shm-size", str(value)]
            else:
                raise SystemExit(f"images: {self.name}: compose key {key!r} is not reproduced")
        if "env_file" in self.spec:
            args += ["--env-file", str(self.env_file)]
        environment = env_pairs(self.spec.get("environment")) | self.overrides
        for key, value in environment.items():
            args += ["--env", f"{key}={value}"]
        for volume in self.spec.get("volumes", []):
            source, target, *mode = volume.split(":")
            # A path is a bind mount (given here), a name one of the compose file's volumes.
            bind = source.startswith((".", "/"))
            source = self.binds[source] if bind else f"{PREFIX}_{source}"
            args += ["--volume", ":".join([source, target, *mode])]
        args.append(self.image)
        command = self.spec.get("command", [])
        args += shlex.split(command) if isinstance(command, str) else command
        return args

    def start(self) -> None:
        run(*self.run_args(detach=True))

    def run_once(self, *command: str, timeout: float = 900) -> str:
        args = self.run_args(detach=False, name=f"{self.container}-run")
        if command:
            args = args[: args.index(self.image) + 1] + list(command)
        result = run(*args, check=False, timeout=timeout)
        output = result.stdout + result.stderr
        if result.returncode != 0:
            raise SystemExit(f"images: {' '.join(command) or self.name} failed:\n{output[-4000:]}")
        return output

    def healthcheck(self) -> subprocess.CompletedProcess:
        test = self.spec["healthcheck"]["test"]
        kind, *words = test
        command = ["sh", "-c", words[0]] if kind == "CMD-SHELL" else words
        return run("docker", "exec", self.container, *command, check=False, timeout=60)

    def wait_healthy(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while True:
            result = self.healthcheck()
            if result.returncode == 0:
                return
            if not self.running() or time.monotonic() > deadline:
                raise SystemExit(
                    f"images: {self.name} is not healthy: {result.stdout}{result.stderr}\n"
                    + self.logs()[-4000:]
                )
            time.sleep(2)

    def running(self) -> bool:
        state = run("docker", "inspect", "-f", "{{.State.Running}}", self.container, check=False)
        return state.stdout.strip() == "true"

    def logs(self) -> str:
        result = run("docker", "logs", self.container, check=False)
        return result.stdout + result.stderr

    def exec(self, *command: str, user: str | None = None) -> subprocess.CompletedProcess:
        args = ["docker", "exec"] + (["--user", user] if user else [])
        return run(*args, self.container, *command, check=False)


# --- checks inside the containers -----------------------------------------------------------


def check_processes_user(service: Service, uid: int) -> None:
    """Every process of the container runs as `uid` (as the host's ps sees them)."""
    rows = run("docker", "top", service.container, "-o", "pid,uid,args").stdout.splitlines()[1:]
    uids = {row.split()[1] for row in rows}
    assert uids == {str(uid)}, f"{service.name}: processes run as {uids}:\n" + "\n".join(rows)


def check_read_only(service: Service) -> None:
    """The root file system refuses writes; /tmp and the volumes take them."""
    assert service.exec("sh", "-c", "touch /app/.probe").returncode != 0, "/app is writable"
    assert service.exec("sh", "-c", "touch /etc/.probe").returncode != 0, "/ is writable"
    assert service.exec("sh", "-c", "touch /tmp/.probe && rm /tmp/.probe").returncode == 0


def check_uploads_private(web: Service, nginx: Service) -> None:
    """Uploads are 0600 to the app's user, and nginx's workers (the same uid) read them from
    their read-only mount of the volume, as they do for X-Accel downloads."""
    files = web.exec("find", "/data/media", "-type", "f").stdout.split()
    assert files, "no file in the media volume"
    shared = web.exec("find", "/data/media", "-type", "f", "-perm", "/077").stdout.split()
    assert shared == [], f"uploads readable by other users: {shared}"
    unreadable = nginx.exec(
        "sh", "-c", 'for f in "$@"; do test -r "$f" || echo "$f"; done', "-", *files, user="motcua"
    ).stdout.split()
    assert unreadable == [], f"nginx's workers cannot read {unreadable}"


def check_sms_sent_by_worker(worker: Service, count: int) -> None:
    """The worker container ran the sending tasks (the web only queues them: REDIS_URL)."""
    sent = re.findall(r"Task notifications\.tasks\.sms_send\[[0-9a-f-]+\] succeeded", worker.logs())
    assert len(sent) >= count, f"the worker's log shows {len(sent)} SMS sent, not {count}"


# --- the run --------------------------------------------------------------------------------


def ports_free(*ports: int) -> None:
    for port in ports:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"images: port {port} of 127.0.0.1 is taken (nginx/web need it)")


def fresh_databases() -> tuple[str, str]:
    """This run's PostgreSQL database, created anew, and Redis database, emptied."""
    import redis

    server = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432")
    name = os.environ.get("IMAGES_DB", "motcua_images")
    assert re.fullmatch(r"[a-z_][a-z0-9_]*", name), name
    maintenance = urlunsplit(server._replace(path="/postgres"))
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        run("psql", maintenance, "-Xq", "-v", "ON_ERROR_STOP=1", "-c", sql)
    database_url = urlunsplit(server._replace(path=f"/{name}"))

    redis_server = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379")
    redis_url = urlunsplit(
        redis_server._replace(path=f"/{os.environ.get('IMAGES_REDIS_DB', '12')}")
    )
    redis.Redis.from_url(redis_url).flushdb()
    return database_url, redis_url


def make_certificate(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    run(
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", str(directory / "privkey.pem"), "-out", str(directory / "fullchain.pem"),
    )  # fmt: skip
    # nginx's master reads the key as root; nobody else needs it.
    (directory / "privkey.pem").chmod(0o644)
    return directory / "fullchain.pem"


def site_env(
    *, redis_url: str, app_image: str = "motcua-app:ci", nginx_image: str = "motcua-nginx:ci"
) -> dict[str, str]:
    """What .env holds in production (.env.example), with values for this run. Compose reads
    it twice: for ${...} in the compose file, and as the app containers' environment."""
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": "https://localhost",
        "SITE_URL": "https://localhost",
        "POSTGRES_PASSWORD": "unused-the-machine-postgresql-trusts-local-connections",
        "REDIS_URL": redis_url,
        "STORAGE_BACKEND": "local",
        "MINIO_ROOT_USER": "unused",
        "MINIO_ROOT_PASSWORD": "unused",
        "S3_ACCESS_KEY": "unused",
        "S3_SECRET_KEY": "unused",
        # The outbox backend sends nothing and marks the message sent: the row is the proof.
        "SMS_BACKEND": "outbox",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        # Two cores: keep the processes few.
        "WEB_CONCURRENCY": "2",
        "CELERY_CONCURRENCY": "2",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "MOTCUA_IMAGE": app_image,
        "NGINX_APP_IMAGE": nginx_image,
    }


def write_env(path: Path, env: dict[str, str]) -> None:
    path.touch(mode=0o600)
    path.write_text("".join(f"{key}={value}\n" for key, value in env.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-image")
    parser.add_argument("--nginx-image")
    parser.add_argument("--work-dir", type=Path)
    parser.add_argument("--write-env", type=Path, help="only write a .env for this run and exit")
    options = parser.parse_args()
    if options.write_env:
        write_env(options.write_env, site_env(redis_url="redis://127.0.0.1:6379/12"))
        return 0

    work = options.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    database_url, redis_url = fresh_databases()
    env = site_env(
        redis_url=redis_url, app_image=options.app_image, nginx_image=options.nginx_image
    )
    env_file = work / "site.env"
    write_env(env_file, env)
    cafile = make_certificate(work / "certs")
    signing = work / "signing"
    signing.mkdir(exist_ok=True)
    specs = compose_services(BASE_DIR / "docker-compose.yml", env)
    overrides = {"DATABASE_URL": database_url}
    services = {
        name: Service(
            name=name,
            spec=specs[name],
            image=specs[name]["image"],
            env_file=env_file,
            overrides=overrides if name in APP_SERVICES else {},
            # The signing certificates' folder stays empty here: signing is off in this run.
            binds={"./deploy/certs": str(work / "certs"), "./secrets/signing": str(signing)},
        )
        for name in (*APP_SERVICES, "nginx")
    }
    names = [service.container for service in services.values()]
    volumes = [f"{PREFIX}_media", f"{PREFIX}_beat"]

    def remove_all() -> None:
        run("docker", "rm", "--force", *names, *[f"{n}-run" for n in names], check=False)
        run("docker", "volume", "rm", "--force", *volumes, check=False)

    remove_all()  # leftovers of an aborted run
    for service in services.values():
        (work / f"{service.name}.log").unlink(missing_ok=True)
    ports_free(80, 443, 8000)
    try:
        web, worker, beat, nginx = (services[n] for n in ("web", "worker", "beat", "nginx"))
        log("migrate (one-shot, as compose runs it before web)")
        services["migrate"].run_once()
        log("demo data: `manage seed_demo` in a one-shot web container")
        web.run_once("manage", "seed_demo", "--verbosity", "0")
        log("web, worker, beat")
        for service in (web, worker, beat):
            service.start()
        web.wait_healthy()
        worker.wait_healthy()
        log("nginx (after web is healthy)")
        nginx.start()
        nginx.wait_healthy(timeout=60)
        for service in (web, worker, beat):
            check_processes_user(service, 10001)
            if service.spec.get("read_only"):
                check_read_only(service)
        log("the journey through nginx")
        result = images_journey.journey(
            base_url="https://localhost",
            plain_url="http://127.0.0.1",
            cafile=str(cafile),
            database_url=database_url,
        )
        check_uploads_private(web, nginx)
        result.proven.append("uploads 0600, readable by nginx's workers (uid 10001)")
        check_sms_sent_by_worker(worker, 2)
        result.proven.append("the worker container sent them")
        # The file's name takes a suffix with some dbm modules.
        schedule = beat.exec("sh", "-c", "ls /data/beat/celerybeat-schedule*")
        assert schedule.returncode == 0, "beat wrote no schedule in its volume"
        assert "Fontconfig error" not in web.logs(), "WeasyPrint's fontconfig wants to write"
        log("stopping: every service exits cleanly on SIGTERM")
        for service in (nginx, web, worker, beat):
            grace = str(int(service.spec.get("stop_grace_period", "10s").rstrip("s")))
            run("docker", "stop", "--time", grace, service.container)
        codes = {
            service.name: run(
                "docker", "inspect", "-f", "{{.State.ExitCode}}", service.container
            ).stdout.strip()
            for service in (web, worker, beat)
        }
        assert codes == {"web": "0", "worker": "0", "beat": "0"}, codes
        log("passed: " + "; ".join(result.proven))
        return 0
    finally:
        for service in services.values():
            (work / f"{service.name}.log").write_text(service.logs())
        if os.environ.get("IMAGES_KEEP") != "1":
            remove_all()


if __name__ == "__main__":
    sys.exit(main())
