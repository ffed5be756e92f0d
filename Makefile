# keyholder: the two commands are `make demo` and `make test`; everything else is set up by them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export KEYHOLDER_VAR_DIR ?= $(CURDIR)/var
# Python keeps its compiled modules (and pytest its rewritten test modules) in __pycache__, as
# it does by default: a shell that sets PYTHONDONTWRITEBYTECODE would make every process of the
# suite compile the project again (about 4 s of CPU for each of the three pytest processes).
unexport PYTHONDONTWRITEBYTECODE
# The demo keeps its email in a mailbox that demo-admin reads at /notify/mailbox/.
DEMO_ENV := KEYHOLDER_DEBUG=1 KEYHOLDER_EMAIL_BACKEND=mailbox

.PHONY: demo test bench lint openapi-lint typecheck messages check-migrations ci clean setup fuzz

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The offline field app's script, service worker and style, bundled by esbuild (git-ignored).
FIELD_DIST := keyholder/field/static/field/dist
$(FIELD_DIST)/.built: node_modules/.installed $(wildcard keyholder/field/frontend/*)
	node keyholder/field/frontend/build.mjs
	touch $@

# Compiled catalogues are build products: only the .po files are committed.
keyholder/locale/.compiled: $(wildcard keyholder/locale/*/LC_MESSAGES/*.po) $(BIN)/.installed
	mkdir -p keyholder/locale
	cd keyholder && KEYHOLDER_DEBUG=1 ../$(BIN)/keyholder compilemessages --verbosity 0
	touch $@

# pytest compiles its own versions of the test modules (assertions rewritten) into __pycache__:
# on a fresh checkout both workers would compile all of them at once, about 5 s of the first
# run. One collection pass does it once per checkout; a test edited later is compiled when
# next imported.
$(VENV)/.tests-compiled: | $(BIN)/.installed
	$(BIN)/pytest --collect-only -q -n0 > /dev/null
	touch $@

setup: $(BIN)/.installed node_modules/.installed $(FIELD_DIST)/.built keyholder/locale/.compiled
	@# Python compiles a module the first time it is imported and keeps it in __pycache__: on a
	@# fresh clone every pytest worker (and every process a test starts) would compile the whole
	@# project at once. Done here, once; later only what changed (about 0.3 s when nothing did).
	@# The test modules are left out: pytest compiles its own rewritten versions of them.
	$(BIN)/python -m compileall -q -j 0 -x 'test_[^/]*\.py$$' keyholder bench conftest.py

var/.demo-ready: | setup
	mkdir -p var
	$(DEMO_ENV) $(BIN)/keyholder migrate --no-input --verbosity 0
	$(DEMO_ENV) $(BIN)/keyholder load_places
	$(DEMO_ENV) $(BIN)/keyholder generate --district Asht --seed 1 --if-empty
	$(DEMO_ENV) $(BIN)/keyholder demo_accounts
	$(DEMO_ENV) $(BIN)/keyholder generate_keeping --district Asht --seed 1 --if-empty
	$(DEMO_ENV) $(BIN)/keyholder build_indicators --no-progress
	touch $@

# The web server and the worker together (messages go out, indicators refresh); Ctrl-C stops both.
demo: setup var/.demo-ready
	$(DEMO_ENV) $(BIN)/keyholder migrate --no-input --verbosity 0
	$(DEMO_ENV) $(BIN)/keyholder demo_accounts --print
	@echo "Demo mailbox: sign in as demo-admin and open http://127.0.0.1:$(PORT)/notify/mailbox/"
	$(DEMO_ENV) $(BIN)/keyholder demo_serve 127.0.0.1:$(PORT)

test: setup $(VENV)/.tests-compiled
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.field_weight

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory openapi-lint

# The API's OpenAPI document under Redocly's recommended rules (redocly.yaml).
openapi-lint: setup
	mkdir -p var
	KEYHOLDER_DEBUG=1 $(BIN)/keyholder shell -c "from keyholder.openapi import dump; dump('var/openapi.json')"
	node_modules/.bin/redocly lint --config redocly.yaml --format=summary var/openapi.json

typecheck: setup
	KEYHOLDER_DEBUG=1 $(BIN)/mypy keyholder

# What CI runs: the suite on SQLite and PostgreSQL, lint, types, migrations, catalogues.
ci:
	bash .ci/run

# Schemathesis against the API as an officer, a keyholder and anonymously: no 5xx (.ci/fuzz).
fuzz: setup
	BIN=$(CURDIR)/$(BIN) bash .ci/fuzz

# The models and the migrations agree, and every migration applies to an empty database (the
# suite builds its databases from the models). KEYHOLDER_DATABASE_URL names the database to
# migrate; by default a throwaway SQLite file.
check-migrations: setup
	KEYHOLDER_DEBUG=1 $(BIN)/keyholder makemigrations --check --dry-run
	@if [ -n "$$KEYHOLDER_DATABASE_URL" ]; then \
		KEYHOLDER_DEBUG=1 $(BIN)/keyholder migrate --no-input --verbosity 1; \
	else \
		d=$$(mktemp -d) && KEYHOLDER_DEBUG=1 KEYHOLDER_DATABASE_URL=sqlite:///$$d/migrate.sqlite3 \
			$(BIN)/keyholder migrate --no-input --verbosity 1 && rm -rf $$d; \
	fi

# Refresh the catalogues after adding strings; then translate every new msgid in tg and ru.
messages: setup
	cd keyholder && KEYHOLDER_DEBUG=1 ../$(BIN)/keyholder makemessages -l tg -l ru -l en --no-obsolete --ignore 'tests/*'

clean:
	rm -rf $(VENV) node_modules var keyholder/locale/.compiled
