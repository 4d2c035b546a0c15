#!/usr/bin/env bash
# Production (make serve): gunicorn, a Celery worker and Celery beat against PostgreSQL and
# Redis, with DEBUG off. The Makefile has already run collectstatic and migrate.
# Stops all three when one of them stops or on Ctrl+C / SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${VENV:-.venv}"

fail() { echo "make serve: $*" >&2; exit 2; }
[[ "${DATABASE_URL:-}" == postgres* ]] || fail "DATABASE_URL に PostgreSQL を設定してください（例 postgres://user@127.0.0.1:5432/shakyo）。"
[[ "${CELERY_BROKER_URL:-}" == redis* ]] || fail "CELERY_BROKER_URL に Redis を設定してください（例 redis://127.0.0.1:6379/0）。"
[[ -n "${SECRET_KEY:-}" ]] || fail "SECRET_KEY を設定してください。"
case "${DEBUG:-0}" in 0 | false | no | off | "") ;; *) fail "本番の構成では DEBUG を設定しないでください（DEBUG=${DEBUG}）。" ;; esac

host="${HOST:-127.0.0.1:8000}"
state="${SERVE_STATE_DIR:-var}"
mkdir -p "$state"

pids=()
stop() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap stop EXIT INT TERM

"$venv/bin/gunicorn" shakyo.wsgi:application --bind "$host" \
    --workers "${GUNICORN_WORKERS:-3}" --timeout "${GUNICORN_TIMEOUT:-60}" \
    --access-logfile - &
pids+=($!)
"$venv/bin/celery" -A shakyo worker --loglevel INFO --concurrency "${CELERY_CONCURRENCY:-2}" \
    --hostname "shakyo@%h" &
pids+=($!)
"$venv/bin/celery" -A shakyo beat --loglevel INFO --schedule "$state/celerybeat-schedule" &
pids+=($!)
echo "shakyo を http://$host/ で起動しました（gunicorn・Celery worker・beat。終了は Ctrl+C）。"
# The first of the three to stop stops the others: a half-running installation is worse.
set +e
wait -n "${pids[@]}"
status=$?
echo "make serve: a process stopped (exit $status); stopping the others" >&2
exit "$status"
