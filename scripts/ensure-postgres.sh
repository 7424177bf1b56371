#!/usr/bin/env bash
# A PostgreSQL server for the case-store tests (tests/cases): prints the URL of a server that
# answers, as a superuser, on stdout; everything else goes to stderr.
#
#   1. CASES_TEST_POSTGRES_URL set: prints it, checks nothing else (the tests fail if it does not
#      answer; a server someone named is never replaced by another).
#   2. A server already answers at postgresql://postgres@127.0.0.1:5432/postgres (trust auth):
#      prints that URL and touches nothing. A running PostgreSQL is never stopped or reconfigured.
#   3. Otherwise a throwaway cluster of its own, made with the server's own tools (initdb, pg_ctl)
#      in ${TMPDIR:-/tmp}/helpline-test-postgres-<uid>, listening on 127.0.0.1 only, on
#      TEST_POSTGRES_PORT (54329), trust auth: started when it exists and is down, created when it
#      does not. Debian's postgresql is installed with apt-get first when the server's binaries are
#      missing, as root or through sudo (like scripts/install-browser.sh). As root, the cluster
#      runs as the `postgres` user the package creates (PostgreSQL refuses to run as root).
#      It stays up for the next run; `scripts/ensure-postgres.sh stop` stops it.
#
# Exit 0 with the URL on stdout; non-zero with a message saying what to do.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${HELPLINE_PYTHON:-$ROOT/.venv/bin/python}"
PORT="${TEST_POSTGRES_PORT:-54329}"
DEFAULT_URL="${TEST_POSTGRES_DEFAULT_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
DATA="${TMPDIR:-/tmp}/helpline-test-postgres-$(id -u)"
OWN_URL="postgresql://postgres@127.0.0.1:${PORT}/postgres"

say() { echo "ensure-postgres: $*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

# Whether a URL answers and lets us in (connect, SELECT 1), without ever prompting for a password.
answers() {
    PGCONNECT_TIMEOUT=3 "$PY" - "$1" >/dev/null 2>&1 <<'EOF'
import sys
import psycopg2
connection = psycopg2.connect(sys.argv[1], connect_timeout=3)
connection.cursor().execute("SELECT 1")
connection.close()
EOF
}

server_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
        echo "$dir"
    elif have initdb && have pg_ctl; then
        dirname "$(command -v initdb)"
    fi
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif have sudo && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        return 1
    fi
}

# Runs a server tool as the cluster's owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

if [ "${1:-}" = "stop" ]; then
    bin=$(server_bin)
    if [ -n "$bin" ] && [ -f "$DATA/PG_VERSION" ]; then
        as_owner "$bin/pg_ctl" -D "$DATA" -m fast stop >&2 || true
    fi
    exit 0
fi

if [ ! -x "$PY" ]; then
    say "no Python with psycopg2 at $PY; run \`make setup\` first (or set HELPLINE_PYTHON)."
    exit 1
fi

if [ -n "${CASES_TEST_POSTGRES_URL:-}" ]; then
    echo "$CASES_TEST_POSTGRES_URL"
    exit 0
fi
if answers "$DEFAULT_URL"; then
    echo "$DEFAULT_URL"
    exit 0
fi
if answers "$OWN_URL"; then
    echo "$OWN_URL"
    exit 0
fi

bin=$(server_bin)
if [ -z "$bin" ]; then
    if ! have apt-get; then
        say "no PostgreSQL answers and this machine has no apt-get to install one."
        say "  Install PostgreSQL, or set CASES_TEST_POSTGRES_URL to a server's superuser URL."
        exit 1
    fi
    say "installing Debian's postgresql (apt-get)..."
    export DEBIAN_FRONTEND=noninteractive
    # Another apt (unattended upgrades, a colleague) may hold the lock: wait for it rather than fail.
    apt_get=(apt-get -o DPkg::Lock::Timeout=300 -q)
    if ! as_root "${apt_get[@]}" install -y --no-install-recommends postgresql >&2; then
        say "first attempt failed (or needs root); refreshing the package lists and retrying."
        if ! { as_root "${apt_get[@]}" update >&2 && as_root "${apt_get[@]}" install -y --no-install-recommends postgresql >&2; }; then
            say "could not install postgresql. Run: sudo apt-get install -y postgresql"
            say "  or set CASES_TEST_POSTGRES_URL to a server's superuser URL."
            exit 1
        fi
    fi
    bin=$(server_bin)
    if [ -z "$bin" ]; then
        say "apt-get finished but initdb and pg_ctl are still missing."
        exit 1
    fi
    # The package may have started its own cluster; use it if it lets us in.
    if answers "$DEFAULT_URL"; then
        echo "$DEFAULT_URL"
        exit 0
    fi
fi

if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    say "running as root without a \`postgres\` user to own the test cluster (PostgreSQL refuses root)."
    exit 1
fi

if [ ! -f "$DATA/PG_VERSION" ]; then
    say "creating a throwaway cluster in $DATA (port $PORT, 127.0.0.1 only, trust auth)"
    rm -rf "$DATA"
    mkdir -p "$DATA"
    chmod 700 "$DATA"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$DATA"
    fi
    as_owner "$bin/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2
fi

say "starting the throwaway cluster in $DATA"
as_owner "$bin/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DATA" start >&2 || {
    say "the cluster did not start; its log:"
    tail -n 20 "$DATA/server.log" >&2 || true
    exit 1
}
if answers "$OWN_URL"; then
    echo "$OWN_URL"
    exit 0
fi
say "the throwaway cluster started but $OWN_URL does not answer; see $DATA/server.log"
exit 1
