# A throwaway PostgreSQL server for the workspace tests, sourced by .ci/run.
#
# start_postgres installs Debian's postgresql package if initdb is missing, makes a
# cluster with initdb in a new temporary folder (as the postgres user: initdb refuses to
# run as root), starts it listening on 127.0.0.1 only, on a free port, with a random
# password, and exports COLLAB_ADVISOR_TEST_DATABASE_URL. stop_postgres stops it and
# removes the folder; .ci/run calls it from a trap, so it runs however the tests end.

PG_FOLDER=""
PG_BIN=""

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

start_postgres() {
    local sudo="" port password
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        $sudo apt-get update -qq && $sudo apt-get install -y -qq postgresql >/dev/null
    fi
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    PG_FOLDER=$(mktemp -d "${TMPDIR:-/tmp}/collab-advisor-pg.XXXXXX")
    $sudo chown postgres:postgres "$PG_FOLDER"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    printf '%s\n' "$password" | as_postgres tee "$PG_FOLDER/password" >/dev/null
    as_postgres "$PG_BIN/initdb" -D "$PG_FOLDER/data" -U postgres --auth=scram-sha-256 \
        --pwfile="$PG_FOLDER/password" -E UTF8 --no-locale >/dev/null
    as_postgres rm -f "$PG_FOLDER/password"
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_FOLDER/data" -l "$PG_FOLDER/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_FOLDER -c max_connections=200 -c fsync=on" \
        start >/dev/null
    export COLLAB_ADVISOR_TEST_DATABASE_URL="postgresql+psycopg://postgres:$password@127.0.0.1:$port/postgres"
    echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($PG_FOLDER) =="
}

stop_postgres() {
    if [ -n "$PG_FOLDER" ] && [ -d "$PG_FOLDER/data" ]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_FOLDER/data" -m fast -w stop >/dev/null || true
    fi
    if [ -n "$PG_FOLDER" ]; then
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo rm -rf "$PG_FOLDER"
    fi
    PG_FOLDER=""
    unset COLLAB_ADVISOR_TEST_DATABASE_URL
}
