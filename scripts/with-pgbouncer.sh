#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointed at PgBouncer in transaction mode, the way RDS Proxy
# pools connections in production: prepared statements off (DATABASE_PREPARE=false) and a
# small pool per container (DATABASE_POOL_MAX=2). PgBouncer listens on a free port with a
# generated configuration in a temporary directory and is stopped when the command ends.
#
#   scripts/with-pgbouncer.sh npx bun run test
#
# Upstream: PGBOUNCER_UPSTREAM_HOST / PGBOUNCER_UPSTREAM_PORT (127.0.0.1:5432), user
# PGBOUNCER_UPSTREAM_USER (postgres, trust auth). Every database name is forwarded (a
# wildcard entry), so tests can create and drop databases of their own through it.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args…]" >&2
  exit 2
fi

pgbouncer_bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
if [ ! -x "$pgbouncer_bin" ]; then
  echo "pgbouncer is not installed (Debian: apt-get install pgbouncer)" >&2
  exit 1
fi

upstream_host=${PGBOUNCER_UPSTREAM_HOST:-127.0.0.1}
upstream_port=${PGBOUNCER_UPSTREAM_PORT:-5432}
upstream_user=${PGBOUNCER_UPSTREAM_USER:-postgres}
database=$(node -e 'const u = new URL(process.argv[1]); console.log(u.pathname.slice(1) || "postgres")' \
  "${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}")
port=$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')

dir=$(mktemp -d)
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [ -f "$dir/pgbouncer.pid" ]; then
    kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
    for _ in $(seq 1 50); do [ -f "$dir/pgbouncer.pid" ] || break; sleep 0.1; done
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=${upstream_host} port=${upstream_port} user=${upstream_user}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = any
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 5
max_db_connections = 20
server_idle_timeout = 10
server_lifetime = 300
ignore_startup_parameters = extra_float_digits,options
logfile = ${dir}/pgbouncer.log
pidfile = ${dir}/pgbouncer.pid
INI

# PgBouncer refuses to run as root; it drops to the postgres user then.
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres "$dir"
  run_as=(-u postgres)
fi
"$pgbouncer_bin" -d "${run_as[@]}" "$dir/pgbouncer.ini"
for _ in $(seq 1 50); do
  pg_isready -q -h 127.0.0.1 -p "$port" -d "$database" -U "$upstream_user" && break
  sleep 0.1
done
if ! pg_isready -q -h 127.0.0.1 -p "$port" -d "$database" -U "$upstream_user"; then
  echo "pgbouncer did not start:" >&2
  cat "$dir/pgbouncer.log" >&2 || true
  exit 1
fi
echo "pgbouncer (transaction mode) on 127.0.0.1:${port} in front of ${upstream_host}:${upstream_port}" >&2

export DATABASE_URL="postgres://${upstream_user}@127.0.0.1:${port}/${database}"
export DATABASE_PREPARE=false
export DATABASE_POOL_MAX=2
set +e
"$@"
status=$?
set -e
exit "$status"
