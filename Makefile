# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# Exported, so that `flask demo` and `flask run` see it: links in e-mails follow it unless BASE_URL is set.
export PORT
export FLASK_APP := wsgi

.PHONY: run test lint format install dev-install worker clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
dev-install: $(VENV)/.dev-installed

## make run: set up, migrate the SQLite database, load the demo once, serve on 127.0.0.1:$(PORT)
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo
	@echo ""
	@echo "Open http://127.0.0.1:$(PORT)/ and sign in with one of the accounts above. Ctrl-C stops."
	@exec $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## make test: set up and run the whole suite (TEST_DATABASE_URL=postgresql://... runs it on PostgreSQL)
test: dev-install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make lint: ruff (style) and mypy (types of the package, strict)
lint: dev-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: dev-install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make worker: deliver the outbox over SMTP until stopped
worker: install
	$(BIN)/flask outbox work

clean:
	rm -rf $(VENV) .pytest_cache
