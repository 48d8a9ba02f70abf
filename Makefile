# The two commands a newcomer needs: `make run` (demo on SQLite + web UI) and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: run test setup lint clean lock

# constraints.txt pins every package (dev tools included) to the versions the suite passed with.
$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)
	bash scripts/setup.sh

run: setup
	$(BIN)/chainatlas demo

test: setup
	bash scripts/test.sh

lint: setup
	$(BIN)/ruff check chainatlas tests bench

# After changing a dependency and passing `make test`: record the venv's versions for everyone else.
lock: setup
	{ sed -n '1,2p' constraints.txt; $(BIN)/pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) node_modules chainatlas.db
