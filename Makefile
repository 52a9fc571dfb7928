# The two commands of the quick start: `make run` and `make test`. Everything else is set-up they call.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev
NPM := node_modules/.installed
MESSAGES := $(patsubst %.po,%.mo,$(wildcard xinyuan/locale/*/LC_MESSAGES/django.po))

.PHONY: run test install install-dev messages lint lock clean

run: install messages
	$(BIN)/xinyuan run

test: install-dev messages
	bash scripts/test.sh

install: $(RUNTIME) $(NPM)
install-dev: $(DEV) $(NPM)

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "xinyuan needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(DEV): requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@ $(RUNTIME)

$(NPM): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

messages: $(MESSAGES)

%.mo: %.po
	@command -v msgfmt >/dev/null || (apt-get install -y -qq gettext >/dev/null 2>&1) || \
		{ echo "msgfmt is missing: install gettext"; exit 1; }
	msgfmt --check -o $@ $<

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

# Re-resolve the pinned dependencies after editing pyproject.toml.
lock: $(DEV)
	$(BIN)/pip-compile -q --strip-extras --generate-hashes --allow-unsafe --build-deps-for editable -o requirements.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --generate-hashes --allow-unsafe --build-deps-for editable --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) node_modules var
