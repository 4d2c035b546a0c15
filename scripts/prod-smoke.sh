#!/usr/bin/env bash
# CI: start the application the production way (make serve: collectstatic, migrate,
# gunicorn, a Celery worker and beat, DEBUG=0) against PostgreSQL and Redis on 127.0.0.1,
# then check with curl what a person would: the login page, a page after signing in, its
# CSS and JS files, and a book job (request → done → download). Stops everything it started.
#
#   SMOKE_DATABASE_URL  the database to create afresh (default: .../shakyo_prod_smoke)
#   SMOKE_BROKER_URL    Redis (default: redis://127.0.0.1:6379/13)
#   SMOKE_PORT          gunicorn's port on 127.0.0.1 (default 8766)
set -euo pipefail
cd "$(dirname "$0")/.."
port="${SMOKE_PORT:-8766}"
base="http://127.0.0.1:$port"
database_url="${SMOKE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/shakyo_prod_smoke}"
work="$(mktemp -d /tmp/shakyo-prod-smoke.XXXXXX)"
log="$work/serve.log"

fail() {
    echo "production smoke: $*" >&2
    echo "--- make serve log (last 60 lines) ---" >&2
    tail -n 60 "$log" >&2 || true
    exit 1
}

make install >/dev/null
# A fresh database for each run.
.venv/bin/python - "$database_url" <<'EOF'
import sys

import dj_database_url
import psycopg

config = dj_database_url.parse(sys.argv[1])
name = config["NAME"]
with psycopg.connect(
    host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
    password=config["PASSWORD"] or None, dbname="postgres", autocommit=True,
) as connection:
    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.execute(f'CREATE DATABASE "{name}"')
EOF

export DATABASE_URL="$database_url"
export CELERY_BROKER_URL="${SMOKE_BROKER_URL:-redis://127.0.0.1:6379/13}"
export SECRET_KEY="prod-smoke-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
export ALLOWED_HOSTS="127.0.0.1"
# As behind the office's reverse proxy, which terminates HTTPS and says so in a header.
export BEHIND_PROXY=1 PROXY_COUNT=1
export MEDIA_ROOT="$work/media" SERVE_STATE_DIR="$work/state"
export GUNICORN_WORKERS=2 CELERY_CONCURRENCY=1
unset DEBUG
# An empty queue for this run (redis-py comes with celery[redis]; no redis-cli needed).
.venv/bin/python -c 'import os, redis; redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()'

setsid make serve HOST="127.0.0.1:$port" >"$log" 2>&1 &
pid=$!
stop() {
    # make serve and everything it started share one process group: stop it, wait until
    # gunicorn, the worker and beat are all gone (warm shutdown), then remove the files.
    kill -TERM -- -"$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 -- -"$pid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- -"$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap stop EXIT

# Through the proxy: HTTPS as far as the application can tell, from one client address.
proxy=(-H "X-Forwarded-Proto: https" -H "X-Forwarded-For: 198.51.100.7")
jar="$work/cookies"
get() { curl -sS "${proxy[@]}" -c "$jar" -b "$jar" -o "$work/body" -w '%{http_code} %{content_type}' "$@"; }

for _ in $(seq 1 300); do
    if curl -fsS "${proxy[@]}" "$base/login/" -o /dev/null 2>/dev/null; then break; fi
    kill -0 "$pid" 2>/dev/null || fail "make serve stopped"
    sleep 1
done
grep -q "collectstatic\|static files copied" "$log" || fail "make serve did not run collectstatic"

# Without the proxy's header a request is sent to HTTPS: DEBUG is off.
answer="$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "$base/login/")"
[[ "$answer" == "301 https://"* ]] || fail "plain HTTP was not redirected to HTTPS ($answer)"
answer="$(get "$base/no-such-page/")"
[[ "$answer" == 404* ]] || fail "a missing page answered $answer"
if grep -q "Using the URLconf\|Traceback" "$work/body"; then fail "DEBUG is on (technical 404 page)"; fi

answer="$(get "$base/login/")"
[[ "$answer" == "200 text/html"* ]] || fail "login page answered $answer"
login_page="$(cat "$work/body")"
assets="$(grep -oE '(href|src)="/static/[^"]+\.(css|js)"' <<<"$login_page" | sed -E 's/^[a-z]+="//; s/"$//' | sort -u)"
[[ -n "$assets" ]] || fail "the login page links no CSS or JS"
for asset in $assets; do
    answer="$(get "$base$asset")"
    case "$asset" in
        *.css) [[ "$answer" == "200 text/css"* ]] || fail "$asset answered $answer" ;;
        *.js) [[ "$answer" == "200 text/javascript"* || "$answer" == "200 application/javascript"* ]] \
            || fail "$asset answered $answer" ;;
    esac
done
echo "production smoke: login page and its $(wc -w <<<"$assets") CSS/JS files answer 200"

make_py() { .venv/bin/python manage.py "$@"; }
make_py load_demo --no-results >/dev/null

answer="$(get "$base/login/")"
token() { grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' "$work/body" | head -1 | sed 's/.*value="//; s/"$//'; }
csrf="$(token)"
answer="$(get -e "https://127.0.0.1:$port/login/" --data-urlencode "csrfmiddlewaretoken=$csrf" \
    --data-urlencode "username=jimukyoku" --data-urlencode "password=shakyo-demo" "$base/login/")"
[[ "$answer" == 302* ]] || fail "signing in as jimukyoku answered $answer"
answer="$(get "$base/plans/2020/")"
[[ "$answer" == "200 text/html"* ]] || fail "the plan page answered $answer"
grep -q "令和2年度" "$work/body" || fail "the plan page does not show 令和2年度"
echo "production smoke: signed in, the 令和2年度 plan page answers 200"

answer="$(get "$base/books/")"
[[ "$answer" == 200* ]] || fail "the books page answered $answer"
csrf="$(token)"
answer="$(curl -sS "${proxy[@]}" -c "$jar" -b "$jar" -e "https://127.0.0.1:$port/books/" \
    --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode "year=2020" \
    -o /dev/null -w '%{http_code} %{redirect_url}' "$base/books/export/plan/")"
[[ "$answer" == "302 "*"/books/jobs/"* ]] || fail "asking for the plan book answered $answer"
job="$(sed -E 's#.*/books/jobs/([0-9]+)/.*#\1#' <<<"$answer")"
state=""
for _ in $(seq 1 120); do
    get "$base/books/jobs/$job/status/" >/dev/null
    state="$(.venv/bin/python -c 'import json,sys; print(json.load(open(sys.argv[1]))["state"])' "$work/body")"
    [[ "$state" == done || "$state" == failed ]] && break
    sleep 1
done
[[ "$state" == done ]] || fail "the book job ended as '$state': $(cat "$work/body")"
answer="$(get "$base/books/jobs/$job/download/")"
[[ "$answer" == "200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"* ]] \
    || fail "the download answered $answer"
[[ "$(head -c 2 "$work/body")" == "PK" ]] || fail "the download is not an xlsx file"
echo "production smoke: the worker made the plan book (job $job), downloaded $(wc -c <"$work/body") bytes"
echo "production smoke: DEBUG=0, gunicorn + Celery worker + beat on PostgreSQL and Redis: all checks passed"
