# The two commands a newcomer needs: `make run` (demo on SQLite + web UI) and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: run test setup lint clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)
	bash scripts/setup.sh

run: setup
	$(BIN)/chainatlas demo

test: setup
	bash scripts/test.sh

lint: setup
	$(BIN)/ruff check chainatlas tests bench

clean:
	rm -rf $(VENV) node_modules chainatlas.db
