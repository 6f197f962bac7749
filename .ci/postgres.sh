#!/usr/bin/env bash
# Installs PostgreSQL from Debian, starts a throwaway cluster on 127.0.0.1 in
# a temporary directory (as the `postgres` user: CI runs as root and initdb
# refuses root), creates a database and prints its URL on stdout, last line.
#
#   export TRUCE_TEST_POSTGRES_URL=$(.ci/postgres.sh | tail -n1)
#
# Nothing listens beyond loopback; the cluster is stopped with
#   su postgres -c "pg_ctl -D $PGDATA stop"   (the script prints the line).
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends postgresql >&2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)

# The first free port from 54329 (a second run beside a first one works).
port=${TRUCE_PG_PORT:-}
if [ -z "$port" ]; then
    for p in $(seq 54329 54349); do
        if ! (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
    done
fi
data=$(mktemp -d /tmp/truce-pg.XXXXXX)
chown postgres:postgres "$data"
run() { su postgres -s /bin/bash -c "$*"; }

run "$bin/initdb -D $data -U postgres -A trust --no-sync" >&2
# TLS with the repository's test certificate (localhost, 127.0.0.1), so the
# store's TLS test can connect with sslmode=verify-full; plain connections
# are still accepted.
tls=$(cd "$(dirname "$0")/../crates/truce-server/tests/data/tls" && pwd)
cp "$tls/cert.pem" "$data/server.crt"
cp "$tls/key.pem" "$data/server.key"
chown postgres:postgres "$data/server.crt" "$data/server.key"
chmod 600 "$data/server.key"
# Loopback only, socket in the data dir (no /var/run/postgresql needed).
run "$bin/pg_ctl -D $data -l $data/log -w -o \"-c listen_addresses=127.0.0.1 -p $port -k $data -c ssl=on -c ssl_cert_file=$data/server.crt -c ssl_key_file=$data/server.key\" start" >&2
run "$bin/createdb -h 127.0.0.1 -p $port -U postgres truce_test" >&2

echo "stop with: su postgres -c \"$bin/pg_ctl -D $data stop\"" >&2
echo "postgres://postgres@127.0.0.1:$port/truce_test"
