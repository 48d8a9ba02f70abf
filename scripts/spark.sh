#!/usr/bin/env bash
# What the Spark tests need on a fresh machine: Java 17 and the PostgreSQL JDBC driver from
# Debian, PySpark from the package registry (the `spark` extra). When Java cannot be had
# (no apt, no rights), say so: tests/test_spark_*.py then skip with that reason.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
java_ok() { java -version 2>&1 | grep -Eq 'version "(1[7-9]|2[0-9])'; }
if ! java_ok || [ ! -f /usr/share/java/postgresql.jar ]; then
  echo "installing Java 17 and the PostgreSQL JDBC driver from Debian packages…" >&2
  if ! { $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
        openjdk-17-jre-headless libpostgresql-jdbc-java >&2; }; then
    echo "could not install Java 17: the Spark tests will be skipped" >&2
  fi
fi
if ! $BIN/python -c "import pyspark" 2>/dev/null; then
  echo "installing the spark extra (PySpark)…" >&2
  $BIN/pip install -q -c constraints.txt -e '.[spark]' >&2 || echo "could not install PySpark: the Spark tests will be skipped" >&2
fi
exit 0
