#!/usr/bin/env bash
# Local hireflow stack on a plain Debian machine, no Docker: Temporal dev server, PostgreSQL 15,
# MinIO (SSE-S3 with a generated KMS key) and maildev, all on loopback.
#
#   stack.sh install                 install missing tools into the cache (idempotent)
#   stack.sh start  [dev|test]       start every server and wait for real health
#   stack.sh stop   [dev|test]       stop every server of the profile
#   stack.sh status [dev|test]       health and URLs
#   stack.sh reset  [dev|test]       stop and delete the profile's data dir
#   stack.sh env    [dev|test]       print HIREFLOW_* exports for the profile
#
# Tools go to $HIREFLOW_CACHE (default ~/.cache/hireflow); data to $HIREFLOW_DATA_DIR/<profile>
# (default <repo>/.data/<profile>, gitignored). dev and test use different ports and data dirs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
CACHE=${HIREFLOW_CACHE:-$HOME/.cache/hireflow}
BIN=$CACHE/bin
DATA_ROOT=${HIREFLOW_DATA_DIR:-$repo/.data}
TEMPORAL_VERSION=v1.5.1
MAILDEV_VERSION=2.2.1
AXE_VERSION=4.14.1 # accessibility checks the browser tests inject into every page
PG_BIN=${HIREFLOW_PG_BIN:-/usr/lib/postgresql/15/bin}
export PATH="$BIN:$CACHE/node/node_modules/.bin:$PATH"

say() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

profile_ports() {
  case "$1" in
    dev)  T_PORT=7233;  T_HTTP=7243;  T_METRICS=7253;  T_UI=8233;  PG_PORT=55432; MINIO_PORT=9000;  SMTP_PORT=1025;  MAIL_WEB=1080;  API_PORT=8080 ;;
    test) T_PORT=17233; T_HTTP=17243; T_METRICS=17253; T_UI=18233; PG_PORT=56432; MINIO_PORT=19000; SMTP_PORT=11025; MAIL_WEB=11080; API_PORT=18080 ;;
    *) die "unknown profile '$1' (use dev or test)" ;;
  esac
  PROFILE=$1
  DATA=$DATA_ROOT/$1
  MINIO_USER=hireflow
  MINIO_PASS=hireflow-$1-secret
}

# ---------------------------------------------------------------- install
need_apt=()
install_tools() {
  mkdir -p "$BIN"
  command -v go >/dev/null || die "Go is required (https://go.dev/dl); the toolchain here is Go 1.26"
  [ -x "$PG_BIN/initdb" ] || need_apt+=(postgresql)
  command -v ffmpeg >/dev/null || need_apt+=(ffmpeg)
  command -v pocketsphinx_continuous >/dev/null || need_apt+=(pocketsphinx pocketsphinx-en-us)
  [ -d /usr/share/pocketsphinx/model/en-us ] || need_apt+=(pocketsphinx-en-us)
  command -v flite >/dev/null || need_apt+=(flite)
  # sphinx_lm_convert reads the generic model's word frequencies for the domain language model
  command -v sphinx_lm_convert >/dev/null || need_apt+=(sphinxbase-utils)
  # bw and mllr_solve fit the acoustic model to each speaker (speech/adapt.go)
  [ -x /usr/lib/sphinxtrain/bw ] || need_apt+=(sphinxtrain)
  command -v sox >/dev/null || need_apt+=(sox)
  command -v chromium >/dev/null || need_apt+=(chromium)
  # CJK glyphs for the browser tests and screenshots of the Chinese pages
  [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_apt+=(fonts-wqy-microhei)
  command -v node >/dev/null || need_apt+=(nodejs npm)
  if [ ${#need_apt[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing system packages: ${need_apt[*]} (run as root or apt-get install them)"
    say "apt-get install ${need_apt[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  fi
  if [ ! -x "$BIN/temporal" ]; then
    say "building Temporal CLI $TEMPORAL_VERSION into $BIN (one time, ~6 min)"
    GOBIN=$BIN GOFLAGS=-buildvcs=false go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_VERSION"
  fi
  if [ ! -x "$BIN/minio" ]; then
    say "building MinIO into $BIN (one time, ~3 min)"
    GOBIN=$BIN GOFLAGS=-buildvcs=false go install github.com/minio/minio@latest
  fi
  if [ ! -x "$CACHE/node/node_modules/.bin/maildev" ]; then
    say "installing maildev@$MAILDEV_VERSION into $CACHE/node"
    mkdir -p "$CACHE/node"
    (cd "$CACHE/node" && npm install --no-audit --no-fund --silent "maildev@$MAILDEV_VERSION" >/dev/null)
  fi
  if [ ! -f "$CACHE/node/node_modules/axe-core/axe.min.js" ] || ! grep -q "\"version\": \"$AXE_VERSION\"" "$CACHE/node/node_modules/axe-core/package.json"; then
    say "installing axe-core@$AXE_VERSION into $CACHE/node"
    mkdir -p "$CACHE/node"
    (cd "$CACHE/node" && npm install --no-audit --no-fund --silent "axe-core@$AXE_VERSION" >/dev/null)
  fi
}

# ---------------------------------------------------------------- health checks
t_healthy()     { temporal operator cluster health --address "127.0.0.1:$T_PORT" >/dev/null 2>&1; }
pg_healthy()    { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" >/dev/null 2>&1; }
minio_healthy() { curl -fsS -o /dev/null "http://127.0.0.1:$MINIO_PORT/minio/health/live" 2>/dev/null; }
mail_healthy()  { curl -fsS -o /dev/null "http://127.0.0.1:$MAIL_WEB/email" 2>/dev/null; }

wait_for() { # name check logfile seconds
  local name=$1 check=$2 log=$3 secs=${4:-60} i
  for ((i = 0; i < secs * 5; i++)); do
    if $check; then return 0; fi
    sleep 0.2
  done
  say "$name did not become healthy within ${secs}s; last lines of $log:"
  tail -n 20 "$log" >&2 2>/dev/null || true
  die "$name failed to start"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

run_bg() { # pidfile logfile cmd...
  local pidf=$1 log=$2; shift 2
  # 9>&- : servers must not inherit the start lock, or they would hold it forever.
  setsid nohup "$@" >"$log" 2>&1 </dev/null 9>&- &
  echo $! >"$pidf"
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  local d=$DATA/pg
  if pg_healthy; then return; fi
  if [ ! -f "$d/PG_VERSION" ]; then
    mkdir -p "$d"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$d"; fi
    chmod 700 "$d"
    as_pg "$PG_BIN/initdb" -D "$d" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >"$DATA/initdb.log" 2>&1 \
      || { tail "$DATA/initdb.log" >&2; die "initdb failed"; }
  fi
  touch "$DATA/postgres.log"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$DATA/postgres.log"; fi
  # synchronous_commit stays on: a 201 or an email rests on the commit, and with it off a kill -9
  # of the server loses commits it already acknowledged. fsync=off survives a crash of the server
  # process (the kernel still holds the pages) and loses data only if the whole machine dies,
  # which is out of scope for a dev/test stack; never use it in production.
  as_pg "$PG_BIN/pg_ctl" -D "$d" -l "$DATA/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=on -c max_connections=200" \
    start >/dev/null 9>&- || { tail -n 20 "$DATA/postgres.log" >&2; die "PostgreSQL failed to start"; }
  wait_for PostgreSQL pg_healthy "$DATA/postgres.log" 30
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='hireflow'" | grep -q 1 \
    || "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres hireflow
}

start_temporal() {
  if t_healthy; then return; fi
  local args=(server start-dev --ip 127.0.0.1 --port "$T_PORT" --http-port "$T_HTTP" --metrics-port "$T_METRICS"
    --db-filename "$DATA/temporal.db" --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=0
    --namespace default --log-level warn
    --search-attribute HireflowOrg=Keyword --search-attribute HireflowJob=Keyword
    --search-attribute HireflowStage=Keyword --search-attribute HireflowStatus=Keyword
    --search-attribute HireflowRuleVersion=Int)
  # The UI decrypts payloads through hireflow's codec server on its operations listener
  # (HIREFLOW_METRICS_ADDR, 127.0.0.1:9464 for make dev).
  if [ "$PROFILE" = test ]; then args+=(--headless); else args+=(--ui-ip 127.0.0.1 --ui-port "$T_UI" --ui-codec-endpoint "http://127.0.0.1:9464/codec"); fi
  run_bg "$DATA/temporal.pid" "$DATA/temporal.log" temporal "${args[@]}"
  wait_for Temporal t_healthy "$DATA/temporal.log" 60
}

start_minio() {
  if minio_healthy; then return; fi
  [ -f "$DATA/minio.kms" ] || echo "hireflow-$PROFILE:$(head -c32 /dev/urandom | base64)" >"$DATA/minio.kms"
  chmod 600 "$DATA/minio.kms"
  mkdir -p "$DATA/minio"
  MINIO_ROOT_USER=$MINIO_USER MINIO_ROOT_PASSWORD=$MINIO_PASS MINIO_KMS_SECRET_KEY=$(cat "$DATA/minio.kms") \
    MINIO_BROWSER=off MINIO_UPDATE=off \
    run_bg "$DATA/minio.pid" "$DATA/minio.log" minio server "$DATA/minio" --address "127.0.0.1:$MINIO_PORT" --quiet
  wait_for MinIO minio_healthy "$DATA/minio.log" 60
}

start_maildev() {
  if mail_healthy; then return; fi
  run_bg "$DATA/maildev.pid" "$DATA/maildev.log" maildev --ip 127.0.0.1 --web-ip 127.0.0.1 -s "$SMTP_PORT" -w "$MAIL_WEB"
  wait_for maildev mail_healthy "$DATA/maildev.log" 60
}

start_all() {
  mkdir -p "$DATA"
  for t in temporal minio; do [ -x "$BIN/$t" ] || die "$t is not installed: run '$0 install' first"; done
  command -v maildev >/dev/null || die "maildev is not installed: run '$0 install' first"
  exec 9>"$DATA_ROOT/.$PROFILE.lock"
  flock -w 300 9 || die "another start of the $PROFILE stack holds the lock"
  start_postgres
  start_temporal
  start_minio
  start_maildev
  say "$PROFILE stack is healthy"
}

stop_all() {
  mkdir -p "$DATA"
  for s in maildev minio temporal; do
    if pid_alive "$DATA/$s.pid"; then
      local pid; pid=$(cat "$DATA/$s.pid")
      kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
      # Wait for it to let go of its ports, so that a start right after a stop does not collide.
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && { kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true; }
    fi
    rm -f "$DATA/$s.pid"
  done
  if [ -f "$DATA/pg/postmaster.pid" ]; then as_pg "$PG_BIN/pg_ctl" -D "$DATA/pg" -m fast -w stop >/dev/null 2>&1 || true; fi
  say "$PROFILE stack stopped"
}

status_all() {
  local ok=0
  row() { if $2; then printf '  %-10s up    %s\n' "$1" "$3"; else printf '  %-10s DOWN  %s\n' "$1" "$3"; ok=1; fi; }
  echo "hireflow $PROFILE stack (data: $DATA)"
  row temporal t_healthy "127.0.0.1:$T_PORT  (web UI http://127.0.0.1:$T_UI)"
  row postgres pg_healthy "postgres://postgres@127.0.0.1:$PG_PORT/hireflow"
  row minio minio_healthy "http://127.0.0.1:$MINIO_PORT"
  row maildev mail_healthy "smtp 127.0.0.1:$SMTP_PORT  (web UI http://127.0.0.1:$MAIL_WEB)"
  return $ok
}

print_env() {
  cat <<EOF
export HIREFLOW_ENV=$([ "$PROFILE" = test ] && echo test || echo development)
export HIREFLOW_HTTP_ADDR=127.0.0.1:$API_PORT
export HIREFLOW_PUBLIC_URL=http://127.0.0.1:$API_PORT
export HIREFLOW_DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/hireflow?sslmode=disable
export HIREFLOW_TEMPORAL_ADDRESS=127.0.0.1:$T_PORT
export HIREFLOW_TEMPORAL_UI_URL=http://127.0.0.1:$T_UI
export HIREFLOW_TEMPORAL_GZIP=false
export HIREFLOW_S3_ENDPOINT=127.0.0.1:$MINIO_PORT
export HIREFLOW_S3_ACCESS_KEY=$MINIO_USER
export HIREFLOW_S3_SECRET_KEY=$MINIO_PASS
export HIREFLOW_S3_SSE=true
export HIREFLOW_SMTP_ADDR=127.0.0.1:$SMTP_PORT
export HIREFLOW_MAIL_UI_URL=http://127.0.0.1:$MAIL_WEB
export HIREFLOW_AXE_JS=$CACHE/node/node_modules/axe-core/axe.min.js
EOF
}

cmd=${1:-status}
profile_ports "${2:-dev}"
case "$cmd" in
  install) install_tools ;;
  start) start_all ;;
  stop) stop_all ;;
  status) status_all ;;
  reset) stop_all; rm -rf "$DATA"; say "$PROFILE data removed" ;;
  env) print_env ;;
  *) die "usage: $0 install|start|stop|status|reset|env [dev|test]" ;;
esac
