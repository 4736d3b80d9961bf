#!/usr/bin/env bash
# Runs a command beside a private, throwaway PostgreSQL: a fresh cluster in a temp dir, trust auth, on a free
# loopback port, its URL in XP2P_BENCH_DB, stopped and removed when the command ends. `npm run soak` and `npm run bench:scale` use it:
# cluster nodes (--redis) keep their accounts in one PostgreSQL. The same setup as @xp2p/testing's
# startPostgres (which production code may not import). PostgreSQL refuses to run as root, so under root the
# cluster belongs to the `postgres` user the Debian package creates.
set -euo pipefail
bash "$(dirname "$0")/ensure-postgres.sh"
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DIR=$(mktemp -d /tmp/xp2p-pg-XXXXXX)
AS=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$DIR"
  AS=(runuser -u postgres --)
fi
PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
cleanup() {
  (cd "$DIR" && "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1) || true
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
(cd "$DIR" && "${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U xp2p --auth=trust -E UTF8 --no-sync >/dev/null)
(cd "$DIR" && "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 60 \
  -o "-p $PORT -h 127.0.0.1 -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null)
export XP2P_BENCH_DB="postgres://xp2p@127.0.0.1:$PORT/postgres"
"$@"
