#!/usr/bin/env bash
# The whole test suite, on SQLite and on a real PostgreSQL server started on loopback,
# then the extraction quality bars on the gold corpus in ../shared (when present).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
bash scripts/setup.sh --browser
bash scripts/spark.sh
export CHAINATLAS_TEST_PG="${CHAINATLAS_TEST_PG:-$(bash scripts/pg.sh)}"
echo "PostgreSQL for tests: $CHAINATLAS_TEST_PG"
$BIN/ruff check chainatlas tests bench
$BIN/python -m pytest -q -p no:cacheprovider "$@"

SHARED="${CHAINATLAS_SHARED:-../shared}"
if [ -d "$SHARED/corpus/gold" ]; then
  echo "== extraction quality on $SHARED/corpus (bars on all 43 gold pages: orgs F1>=0.88, metrics F1>=0.88, events F1>=0.72, 0 noise)"
  tmp="$(mktemp -d)"
  $BIN/chainatlas extract "$SHARED"/corpus/news/* --json > "$tmp/pred.jsonl"
  $BIN/chainatlas eval --gold "$SHARED/corpus/gold" "$tmp/pred.jsonl" \
    --min-org-f1 0.88 --min-metric-f1 0.88 --min-event-f1 0.72 --max-noise 0
else
  echo "== skipping the extraction eval: no gold corpus at $SHARED/corpus/gold"
fi
