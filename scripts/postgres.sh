#!/usr/bin/env bash
# Make a local PostgreSQL available for the storage tests, then print its URL on stdout.
#
# Idempotent: installs Debian's `postgresql` package when it is missing (root with apt-get only),
# starts the newest cluster (the package creates it but never starts it under policy-rc.d or
# without systemd), and creates the role and database `careerpilot`. Everything else goes to
# stderr; on any failure the script exits non-zero and prints nothing on stdout, so the caller
# (`make postgres`) can tell "PostgreSQL tests run" from "PostgreSQL tests skip".
#
# The cluster holds throwaway test data only: the drop-in below turns durability off.
set -euo pipefail

ROLE=careerpilot
PASSWORD=careerpilot
DATABASE=careerpilot
PORT=5432

say() { echo "postgres.sh: $*" >&2; }

if [ "$(id -u)" != 0 ]; then
  say "not root: cannot install or start PostgreSQL here"
  exit 1
fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  command -v apt-get >/dev/null || { say "PostgreSQL is missing and there is no apt-get"; exit 1; }
  say "installing PostgreSQL from Debian's packages"
  {
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
  } >&2
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main --port "$PORT" >&2
fi

conf_dir="/etc/postgresql/$version/main/conf.d"
conf="$conf_dir/careerpilot-tests.conf"
# Test data only: no fsync; enough connections for several engines' pools at once.
wanted=$(printf '%s\n' 'fsync = off' 'synchronous_commit = off' 'full_page_writes = off' \
  'max_connections = 300')
changed=no
if [ "$(cat "$conf" 2>/dev/null)" != "$wanted" ]; then
  mkdir -p "$conf_dir"
  printf '%s\n' "$wanted" >"$conf"
  changed=yes
fi

# A running cluster is left alone (other test runs may be using it) unless the drop-in above
# changed; `restart` stops it if it runs, then starts it.
if pg_ctlcluster "$version" main status >/dev/null 2>&1; then
  action=$([ "$changed" = yes ] && echo restart || echo none)
else
  action=start
fi
if [ "$action" != none ] && ! pg_ctlcluster "$version" main "$action" >&2; then
  say "the cluster did not $action; its log follows"
  tail -n 40 "/var/log/postgresql/postgresql-$version-main.log" >&2 || true
  exit 1
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
pg_isready -q -h 127.0.0.1 -p "$port" -t 60

runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -p "$port" -d postgres >&2 <<SQL
DO \$\$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
  END IF;
END\$\$;
SELECT 'CREATE DATABASE $DATABASE OWNER $ROLE'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DATABASE')\gexec
SQL

echo "postgresql+asyncpg://$ROLE:$PASSWORD@127.0.0.1:$port/$DATABASE"
