#!/usr/bin/env bash
# Start (or reuse) a throwaway PostgreSQL server on loopback for tests and benchmarks.
# Installs Debian's postgresql package when no server binaries are found.
# Prints the URL to use, e.g. postgresql+psycopg://chainatlas@127.0.0.1:54329/chainatlas
set -euo pipefail
PORT="${CHAINATLAS_PG_PORT:-54329}"
DIR="${CHAINATLAS_PG_DIR:-/tmp/chainatlas-pg-$PORT}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }
BIN="$(find_bin || true)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "installing PostgreSQL from Debian packages…" >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
  BIN="$(find_bin)"
fi

# PostgreSQL refuses to run as root: run it as the 'postgres' system user then.
RUN=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
  RUN=(runuser -u postgres --)
fi

if ! "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; then
  if [ ! -f "$DIR/PG_VERSION" ]; then
    mkdir -p "$DIR"; [ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
    "${RUN[@]}" "$BIN/initdb" -D "$DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  "${RUN[@]}" "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB -c max_connections=200" start >&2
fi
psql_() { "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
psql_ -c "SELECT 1 FROM pg_roles WHERE rolname='chainatlas'" | grep -q 1 \
  || psql_ -c "CREATE ROLE chainatlas LOGIN SUPERUSER" >&2
psql_ -c "SELECT 1 FROM pg_database WHERE datname='chainatlas'" | grep -q 1 \
  || psql_ -c "CREATE DATABASE chainatlas OWNER chainatlas" >&2
echo "postgresql+psycopg://chainatlas@127.0.0.1:$PORT/chainatlas"
