# kuntadigi: build, run and test.  GNU make; a Debian 12/13 machine with Python 3.11.
#
#   make run      set up and serve the demo on http://127.0.0.1:8000/fi/
#   make test     the whole test suite, in parallel on every core (extra pytest arguments: make test PYTEST_ARGS="-k calls -x";
#                 in one process: make test TEST_WORKERS=0)
#   make lint     ruff check and ruff format --check
#   make check    Django's system checks; fails when a model change has no migration
#   make messages extract translatable strings into locale/ (fi, sv, en)
#   make clean    remove the virtualenv, caches and test artifacts (keeps db.sqlite3 and media/)

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PYTEST_ARGS ?=
TEST_WORKERS ?= auto
# -p no:xdist in PYTEST_ARGS switches pytest-xdist off, and with it the -n option.
XDIST_ARGS := $(if $(findstring no:xdist,$(PYTEST_ARGS)),,-n $(TEST_WORKERS) --dist loadgroup)
HOST := 127.0.0.1
PORT := 8000
# The public address in links sent by e-mail follows the server's address (make run PORT=8101 sends links
# to http://127.0.0.1:8101) unless SITE_URL is given, in the environment or as make SITE_URL=https://...
# A server listening on every address (HOST=0.0.0.0) is reached at 127.0.0.1 from this machine.
ifeq ($(strip $(SITE_URL)),)
SITE_URL := http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
endif

# The demo: the clock starts at noon on the 2020 call's last day (it closes at 16.15) and runs on.
DEMO_ENV := KUNTADIGI_NOW=2020-10-05T12:00:00+03:00 KUNTADIGI_DEMO=1 SITE_URL=$(SITE_URL)

# Uploads are scanned for viruses by ClamAV's daemon (README, "Virus scanning"). When Debian's clamd is
# not running here, the demo switches scanning off explicitly (KUNTADIGI_VIRUS_SCAN=off) and says so;
# production refuses that setting.
CLAMD_SOCKET ?= /var/run/clamav/clamd.ctl
SCAN_ENV := $(shell [ -S "$(CLAMD_SOCKET)" ] || echo KUNTADIGI_VIRUS_SCAN=off)
define scan_notice
	@if [ -n "$(SCAN_ENV)" ]; then \
	  echo "Uploads are NOT scanned for viruses in this demo (KUNTADIGI_VIRUS_SCAN=off): clamd is not running at $(CLAMD_SOCKET)."; \
	  echo "To scan them: sudo apt-get install clamav-daemon (clamd starts once freshclam has fetched the signatures), then make run again."; \
	fi
endef

# Directories that hold no project strings or messages.
IGNORE := --ignore=$(VENV) --ignore=node_modules --ignore=staticfiles --ignore=media --ignore=test-artifacts

.PHONY: help venv run run-after-deadline run-projects setup test lint check format messages compilemessages clean serve-production bench-rush bench-followup

help:
	@echo "make run    serve the demo on http://$(HOST):$(PORT)/fi/"
	@echo "make run-after-deadline   the same with the clock on the morning after the 2020 call closed"
	@echo "make run-projects         the same with the clock on 20.4.2022: the 2019 call's funded projects paid, reported, settled"
	@echo "make test   run the test suite (PYTEST_ARGS=... for extra pytest arguments)"
	@echo "make lint   ruff check and format check"
	@echo "make check  Django system checks and missing migrations"
	@echo "make messages / make clean"

venv: $(VENV)/.installed

# Re-install only when requirements.lock changes.
$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null || { \
	  echo "kuntadigi needs Python 3.11, but '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo missing)."; \
	  echo "On Debian 12: sudo apt-get install python3.11 python3.11-venv"; \
	  echo "Elsewhere install Python 3.11 and run: make PYTHON=/path/to/python3.11 ..."; \
	  exit 1; }
	@if [ ! -x $(PY) ]; then \
	  $(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV). On Debian: sudo apt-get install python3.11-venv"; exit 1; }; \
	fi
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || { \
	  echo "$(VENV) was made with another Python than 3.11: remove it (make clean) and try again."; exit 1; }
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@touch $@

# Compile the translations when there are any. Needs GNU gettext's msgfmt.
compilemessages: venv
	@if ! find locale -name '*.po' 2>/dev/null | grep -q .; then \
	  echo "No translations in locale/ yet: nothing to compile."; \
	elif ! command -v msgfmt >/dev/null 2>&1; then \
	  echo "msgfmt not found, so the interface stays in English. Install it with: sudo apt-get install gettext"; \
	else \
	  $(MANAGE) compilemessages --verbosity 0 $(IGNORE); \
	fi

# The database, the reference data (the 310 municipalities), the calls, the demo accounts, fictional
# applications in the open 2020 call, and the 2019 joint-projects call decided and published (51 generated
# applications carried through screening, assessment and signed decisions to public results), its funded
# projects carried on through payments, final reports and settlements into spring 2022 (carry_projects, which
# sets its own clock for each step).
setup: venv compilemessages
	$(DEMO_ENV) $(MANAGE) migrate --no-input
	$(DEMO_ENV) $(MANAGE) load_reference_data
	$(DEMO_ENV) $(MANAGE) load_calls
	$(DEMO_ENV) $(MANAGE) demo_setup
	$(DEMO_ENV) $(MANAGE) generate_applications --call digi-2020 --count 20 --if-empty
	$(DEMO_ENV) $(MANAGE) generate_applications --call digi-2019-2 --count 51 --seed 2019 --through published --if-empty
	$(DEMO_ENV) $(MANAGE) apply_municipal_mergers
	$(DEMO_ENV) $(MANAGE) create_funded_projects
	$(DEMO_ENV) $(SCAN_ENV) $(MANAGE) carry_projects --call digi-2019-2 --if-new

run: setup
	@echo
	@echo "kuntadigi demo: open http://$(HOST):$(PORT)/fi/ (also /sv/ and /en/). The clock starts at 5.10.2020 12.00 Helsinki time and runs on."
	@echo "Links in e-mail messages lead to $(SITE_URL)"
	@echo "Decided and published results (the 2019 call, generated and fictional): http://$(HOST):$(PORT)/fi/results/"
	@echo "  map /fi/map/, statistics /fi/statistics/, open data /fi/open-data/, API http://$(HOST):$(PORT)/api/v1/"
	@echo "Stop the server with Ctrl+C. To work as an official after the deadline: make run-after-deadline"
	$(scan_notice)
	@echo
	$(DEMO_ENV) $(SCAN_ENV) $(MANAGE) runserver $(HOST):$(PORT)

# The same demo with the clock on the morning after the 2020 call closed: screening, assessment and decisions.
run-after-deadline: setup
	@echo
	@echo "kuntadigi demo after the deadline: open http://$(HOST):$(PORT)/fi/ — the clock starts at 6.10.2020 09.00 Helsinki time and runs on."
	@echo "Links in e-mail messages lead to $(SITE_URL)"
	$(scan_notice)
	@echo
	KUNTADIGI_NOW=2020-10-06T09:00:00+03:00 KUNTADIGI_DEMO=1 SITE_URL=$(SITE_URL) $(SCAN_ENV) $(MANAGE) runserver $(HOST):$(PORT)

# The same demo with the clock in spring 2022: the 2019 call's funded projects have been paid in instalments,
# reported and mostly settled and closed; two await their settlement decision.
run-projects: setup
	@echo
	@echo "kuntadigi demo in spring 2022: open http://$(HOST):$(PORT)/fi/ — the clock starts at 20.4.2022 09.00 Helsinki time and runs on."
	@echo "The 2019 call's funded projects: the preparer (virkailija@...) under Officials, the payment approver (maksaja@...),"
	@echo "the decision-maker (ratkaisija@...); a lead's staff see their project under My projects (README, Demo)."
	@echo "Links in e-mail messages lead to $(SITE_URL)"
	$(scan_notice)
	@echo
	KUNTADIGI_NOW=2022-04-20T09:00:00+03:00 KUNTADIGI_DEMO=1 SITE_URL=$(SITE_URL) $(SCAN_ENV) $(MANAGE) runserver $(HOST):$(PORT)

# Production-like: gunicorn + the background worker on PostgreSQL, refusing development secrets.
# Needs SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL (the service's role) and MIGRATION_DATABASE_URL (the owner) in the
# environment, and clamd running (README, "Production-like run").
serve-production: venv compilemessages
	bin/serve-production

# The deadline-rush load benchmark on PostgreSQL (bench/README.md); BENCH_ARGS=... for its options.
BENCH_ARGS ?=
bench-rush: venv compilemessages
	$(PY) bench/deadline_rush.py $(BENCH_ARGS)

# The funded projects' follow-up lists at 10,000 projects and a batch of 1,000 payments exported, on
# PostgreSQL db bench_followup, dropped and made afresh (bench/README.md); BENCH_ARGS=... for its options.
bench-followup: venv compilemessages
	$(PY) bench/followup_bench.py $(BENCH_ARGS)

# The suite runs in parallel with pytest-xdist, one worker per core (TEST_WORKERS=auto); each worker has its own
# test database, live server, SMTP server, Chromium and clamd. TEST_WORKERS=0 (or PYTEST_ARGS=-n0, or
# PYTEST_ARGS='-p no:xdist') runs it in this one process, as a single test is easiest to debug.
# Pytest's exit status 5 means that no test ran: that is a failure too.
test: venv compilemessages
	@$(VENV)/bin/pytest $(XDIST_ARGS) $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests; that counts as a failure."; fi; \
	exit $$status

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Django's system checks, and no model change without its migration.
check: venv
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Extract the strings to translate (Python and templates, then JavaScript in static/js).
messages: venv
	$(MANAGE) makemessages -l fi -l sv -l en --no-obsolete $(IGNORE) --ignore=tests --ignore=bench
	$(MANAGE) makemessages -d djangojs -l fi -l sv -l en --no-obsolete $(IGNORE) --ignore=tests --ignore=bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts staticfiles
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
