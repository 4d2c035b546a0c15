#!/usr/bin/env bash
# CI: run the README's first command (make run) as a newcomer would, wait until it serves the
# demo, log in as a demo user and check that a page of the demo plan answers; then stop it.
set -euo pipefail
port="${SMOKE_PORT:-8765}"
log="$(mktemp)"
setsid make run HOST="127.0.0.1:$port" >"$log" 2>&1 &
pid=$!
trap 'kill -- -"$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    if curl -fsS "http://127.0.0.1:$port/login/" -o /dev/null 2>/dev/null; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then cat "$log"; echo "make run stopped" >&2; exit 1; fi
    sleep 1
done
jar="$(mktemp)"
curl -fsS -c "$jar" -b "$jar" "http://127.0.0.1:$port/login/" -o "$log.login"
token="$(grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' "$log.login" | head -1 | sed 's/.*value="//; s/"$//')"
curl -fsS -c "$jar" -b "$jar" -e "http://127.0.0.1:$port/login/" \
    --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "username=jimukyoku" \
    --data-urlencode "password=shakyo-demo" -o /dev/null "http://127.0.0.1:$port/login/"
page="$(curl -fsS -L -c "$jar" -b "$jar" "http://127.0.0.1:$port/plans/2020/")"
if ! grep -q "令和2年度" <<<"$page"; then
    echo "make run: the demo plan is not served after logging in" >&2
    exit 1
fi
echo "make run: the demo plan is served on 127.0.0.1:$port"
