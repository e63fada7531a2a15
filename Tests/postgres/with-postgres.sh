#!/usr/bin/env bash
# Runs a command beside a private PostgreSQL server: `Tests/postgres/with-postgres.sh swift test …`.
#
# The server is made as Tests/StorageTests/PostgresServer.swift makes its own: Debian's binaries
# (QUARRY_PG_BIN, else `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin), a cluster by
# initdb in a temporary folder with C locale, UTF-8 and SCRAM authentication, a random password, and a
# free loopback port; durability off, as the data dies with the folder. initdb and postgres refuse to
# run as root, so as root both run as the `postgres` account through setpriv.
#
# The command sees QUARRY_TEST_POSTGRES_URL, the superuser's URL, from which the tests make a database
# each (Sources/QuarryTesting/TestDatabases.swift). The server is stopped and its folder removed when
# the script exits, however it exits; the script answers the command's status.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGUMENT…]" >&2
    exit 2
fi

has_server() { [ -x "$1/initdb" ] && [ -x "$1/postgres" ] && [ -x "$1/pg_ctl" ]; }

bin=""
if [ -n "${QUARRY_PG_BIN:-}" ]; then
    has_server "$QUARRY_PG_BIN" || { echo "QUARRY_PG_BIN=$QUARRY_PG_BIN holds no initdb, postgres and pg_ctl" >&2; exit 1; }
    bin=$QUARRY_PG_BIN
elif folder=$(pg_config --bindir 2>/dev/null) && has_server "$folder"; then
    bin=$folder
else
    for folder in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        if has_server "$folder"; then bin=$folder; break; fi
    done
fi
if [ -z "$bin" ]; then
    echo "PostgreSQL's server binaries were not found (QUARRY_PG_BIN, pg_config --bindir, /usr/lib/postgresql/*/bin):" \
        "make test-deps installs them (Debian's postgresql package)" >&2
    exit 1
fi

# As root the server runs as `postgres`, which must reach the folder: /tmp rather than a TMPDIR in root's home.
as_server=()
base=${TMPDIR:-/tmp}
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "running as root needs the postgres account (Debian's postgresql package)" >&2; exit 1; }
    [ -x /usr/bin/setpriv ] || { echo "running as root needs /usr/bin/setpriv (util-linux)" >&2; exit 1; }
    as_server=(/usr/bin/setpriv "--reuid=$(id -u postgres)" "--regid=$(id -g postgres)" --clear-groups --)
    base=/tmp
fi

directory=$(mktemp -d "$base/quarry-postgres-XXXXXXXX")
chmod 700 "$directory"
# Stops the server (fast shutdown, waiting for it) and removes the folder on every exit.
cleanup() {
    if [ -f "$directory/data/postmaster.pid" ]; then
        "${as_server[@]}" "$bin/pg_ctl" -D "$directory/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || "${as_server[@]}" "$bin/pg_ctl" -D "$directory/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$directory"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
printf '%s' "$password" > "$directory/password"
if [ ${#as_server[@]} -gt 0 ]; then chown -R postgres:postgres "$directory"; fi

# A port the kernel calls free on 127.0.0.1, released for the server to bind.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

user=quarry_test
if ! "${as_server[@]}" "$bin/initdb" -D "$directory/data" --locale=C --encoding=UTF8 --auth=scram-sha-256 \
        "--username=$user" "--pwfile=$directory/password" --no-sync > "$directory/initdb.log" 2>&1; then
    echo "initdb failed; its log:" >&2
    cat "$directory/initdb.log" >&2
    exit 1
fi
# Enough connections for every test's pool at once; the tests close theirs as they finish.
options="-p $port -k $directory -c listen_addresses=127.0.0.1 -c max_connections=500"
options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if ! "${as_server[@]}" "$bin/pg_ctl" -D "$directory/data" -l "$directory/server.log" -o "$options" -w -t 30 start >/dev/null; then
    echo "postgres did not start; its log:" >&2
    tail -n 40 "$directory/server.log" >&2
    exit 1
fi

export QUARRY_TEST_POSTGRES_URL="postgres://$user:$password@127.0.0.1:$port/postgres?sslmode=disable"
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
status=0
"$@" || status=$?
exit "$status"
