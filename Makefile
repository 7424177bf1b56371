# The helpline's commands. The two that matter: `make run` and `make test`.
# Each target sets up what it needs (a Python 3.10 venv, the packages, a trained model) and
# skips what is already done.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(PY) -m rasa
INSTALLED := $(VENV)/.installed
MODEL := models/helpline.tar.gz
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) \
	$(wildcard bot/nlu/*.py bot/understanding/*.py)

# Rasa calls home unless told not to; this machine (and many deployments) has no internet.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL ?= 2
# Same thread counts everywhere: reproducible training, no oversubscribed CPUs.
export TF_INTRA_OP_PARALLELISM_THREADS ?= 2
export TF_INTER_OP_PARALLELISM_THREADS ?= 1
export PYTHONHASHSEED := 0
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)

.PHONY: help setup browser postgres train run demo shell test lint test-unit test-faults test-e2e validate test-stories eval bench bench-channels lock clean

help:
	@echo "make run     start the helpline (Redis, action server, Rasa) in the foreground"
	@echo "make test    validate data, run every test, train if needed, run the test stories"
	@echo "make demo    make run with SMS, Telegram and Zalo faked on localhost (try: python -m bot simulate)"
	@echo "make shell   chat with the running helpline in this terminal"
	@echo "make eval    triage quality on every held-out set, per kind of message, and NLU cross-validation"
	@echo "make bench   throughput, latency and memory against a stock Rasa assistant, and the SMS, Telegram and Zalo channels"
	@echo "make train   train the model if its inputs changed"
	@echo "make lock    re-resolve requirements.in into requirements.lock"

setup: $(INSTALLED)

PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check
# Some machines' pip configuration names local indexes that do not exist; pip warns once per package.
PIP_NOISE_FILTER := { grep -v "is ignored: it is neither a file nor a directory" || true; }

$(INSTALLED): requirements.lock
	@python310=$$(scripts/find-python310.sh) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
		echo "Creating $(VENV) with $$python310"; rm -rf $(VENV); "$$python310" -m venv $(VENV) || exit 1; \
		set -o pipefail; $(PIP_INSTALL) --upgrade "pip>=24,<27" "setuptools<71" "wheel==0.45.1" 2>&1 | $(PIP_NOISE_FILTER) || exit 1; \
	fi
	set -o pipefail; $(PIP_INSTALL) -r requirements.lock 2>&1 | $(PIP_NOISE_FILTER)
	$(PY) -m pip check
	@touch $@

$(MODEL): $(TRAINING_INPUTS) | $(INSTALLED)
	@mkdir -p models
	@start=$$(date +%s); \
	$(RASA) train --fixed-model-name helpline --out models --quiet || exit 1; \
	echo "Training took $$(( $$(date +%s) - start )) s."
	@touch $@

train: $(MODEL)

run: $(MODEL)
	@$(PY) -m bot run

# Every channel against fake provider APIs on localhost: try them with `python -m bot simulate`.
demo: $(MODEL)
	@HELPLINE_DEMO_CHANNELS=1 $(PY) -m bot run

shell: $(INSTALLED)
	@$(PY) -m bot chat

# ruff (style, imports, bug patterns) and mypy (types) on the project's own packages.
lint: $(INSTALLED)
	$(VENV)/bin/ruff check bot channels actions tests bench
	$(VENV)/bin/mypy

validate: $(INSTALLED)
	$(RASA) data validate --fail-on-warnings --quiet

# Debian's chromium and chromium-driver for the console's browser test (apt-get, when missing).
browser:
	@scripts/install-browser.sh

# A PostgreSQL for the case-store tests (scripts/ensure-postgres.sh): the one answering, or a
# throwaway cluster of its own, installed with apt-get when missing. The tests fail without one.
postgres: $(INSTALLED)
	@HELPLINE_PYTHON=$(PY) scripts/ensure-postgres.sh >/dev/null

test-unit: $(INSTALLED) browser postgres
	$(PY) -m pytest -m "not e2e"

# The fault-injection tests alone (action server down or slow, case store locked, alert provider
# down, floods, forged acknowledgements; docs/reliability.md). `make test` runs them with the rest.
test-faults: $(INSTALLED)
	$(PY) -m pytest tests/test_faults_*.py

test-e2e: $(MODEL)
	$(PY) -m pytest -m e2e

test-stories: $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/stories --endpoints tests/endpoints.yml \
		--fail-on-prediction-errors --out results/stories

test: lint validate test-unit train test-e2e test-stories
	@echo "All checks passed."

eval: $(MODEL)
	$(PY) -m bot eval; status=$$?; \
	$(RASA) test nlu --nlu data/nlu --config config.yml --cross-validation --folds 3 \
		--out results/crossval --quiet > results/crossval.log 2>&1 \
		&& $(PY) -m bot.cli.crossval_summary results/crossval || status=1; exit $$status

bench: $(MODEL)
	$(PY) -m bench $(BENCH_ARGS)
	$(PY) -m bench.triage
	$(PY) -m bench.channels $(BENCH_CHANNELS_ARGS)

# The provider channels alone: webhook acknowledgement and reply latency against fake providers.
bench-channels: $(MODEL)
	$(PY) -m bench.channels $(BENCH_CHANNELS_ARGS)

lock:
	@python310=$$(scripts/find-python310.sh) || exit 1; tmp=$$(mktemp -d); \
	"$$python310" -m venv $$tmp/venv && $$tmp/venv/bin/pip install --quiet -r requirements.in && \
	{ echo "# Generated by \`make lock\` from requirements.in with Python 3.10. Do not edit by hand."; \
	  $$tmp/venv/bin/pip freeze --exclude-editable; } > requirements.lock; rm -rf $$tmp
	@echo "requirements.lock updated; commit it."

clean:
	rm -rf models results .rasa .pytest_cache .run
