# MotCua: two commands on a fresh machine.
#   make run   - set everything up and serve the portal with demo data (SQLite, eager Celery)
#   make test  - set everything up and run the test suite (PostgreSQL/Redis when
#                DATABASE_URL / REDIS_URL are set, SQLite otherwise)
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

# Translations: the compiled .mo files are committed, so no gettext is needed to run.
.PHONY: run test setup install migrate seed lint fmt worker beat clean messages e2e-setup e2e images

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt ".[dev]"
	touch $(STAMP)

install: $(STAMP)

var:
	mkdir -p var

migrate: install var
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

setup: seed
	$(PY) manage.py collectstatic --noinput >/dev/null
	$(PY) manage.py signing_demo_cert --out var/signing

# The demo signs its slips and results with the demo certificate of `signing_demo_cert`
# (docs/NATIONAL.md, "Signed documents"); set PDF_SIGNING_BACKEND= (empty) to serve them unsigned.
# Given to the server only: the steps before it run before the certificate exists.
PDF_SIGNING_BACKEND ?= pkcs12
PDF_SIGNING_PKCS12_PATH ?= var/signing/agency.p12
PDF_SIGNING_PKCS12_PASSPHRASE_FILE ?= var/signing/agency.pass
PDF_SIGNING_TRUST_ROOTS ?= var/signing/trust
DEMO_SIGNING = PDF_SIGNING_BACKEND="$(PDF_SIGNING_BACKEND)" \
  PDF_SIGNING_PKCS12_PATH="$(PDF_SIGNING_PKCS12_PATH)" \
  PDF_SIGNING_PKCS12_PASSPHRASE_FILE="$(PDF_SIGNING_PKCS12_PASSPHRASE_FILE)" \
  PDF_SIGNING_TRUST_ROOTS="$(PDF_SIGNING_TRUST_ROOTS)"

run: setup
	@echo "MotCua is serving on http://127.0.0.1:$(PORT)/  (demo accounts: see README.md)"
	$(DEMO_SIGNING) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The browser journeys are part of the suite, so `make test` sets up their browser too.
test: e2e-setup var
	$(PY) -m pytest $(PYTEST_ARGS)

# ruff, then the layer contracts of pyproject.toml ([tool.importlinter]).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

fmt: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=staticfiles \
	  --ignore=node_modules --ignore=test-artifacts --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

worker: install
	$(VENV)/bin/celery -A portal worker -Q celery,sms,reports -l info

beat: install
	$(VENV)/bin/celery -A portal beat -l info

clean:
	rm -rf $(VENV) var staticfiles

# Browser journeys (tests/e2e): Debian's chromium, never a browser downloaded by playwright;
# from the npm registry (package-lock.json) axe-core and oidc-provider (the local national
# sign-in provider of the tests). Installing chromium needs root (apt-get).
CHROMIUM ?= /usr/bin/chromium
e2e-setup: install
	@test -x $(CHROMIUM) || { echo "make: installing Debian's chromium and fonts-dejavu-core (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }
	@command -v npm >/dev/null || { echo "make: installing Debian's nodejs and npm (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends nodejs npm; }
	@npm ls --all >/dev/null 2>&1 || { echo "make: installing package.json's test packages (npm ci)"; \
	  npm ci --no-audit --no-fund --loglevel=error; }

e2e: e2e-setup var
	$(PY) -m pytest -m e2e tests/e2e $(PYTEST_ARGS)

# The production images (Dockerfile) built and run against this machine's PostgreSQL and Redis,
# a journey through nginx (deploy/ci-images.sh; needs root and a Docker engine or docker.io).
images: install
	deploy/ci-images.sh
