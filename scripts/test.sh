#!/usr/bin/env bash
# Runs the whole test suite on SQLite and on a real PostgreSQL server started on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export CHAINATLAS_TEST_PG="${CHAINATLAS_TEST_PG:-$(bash scripts/pg.sh)}"
echo "PostgreSQL for tests: $CHAINATLAS_TEST_PG"
$BIN/ruff check chainatlas tests bench
$BIN/python -m pytest -q "$@"
