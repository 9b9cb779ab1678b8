#!/usr/bin/env bash
# Set up (if needed) and serve chatsite on http://127.0.0.1:${PORT:-8000} with the embedded defaults,
# with ${BATCH_WORKERS:-1} batch task worker(s) beside it; stopping this script stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh runtime
pids=()
stop_all() {
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM
# Runs left unfinished by a restart carry on.
.venv/bin/python manage.py batch_resume
for _ in $(seq "${BATCH_WORKERS:-1}"); do
  .venv/bin/python manage.py db_worker --interval 0.5 --no-reload &
  pids+=("$!")
done
echo "chatsite: open http://127.0.0.1:${PORT:-8000}/ (the first account you sign up is the admin)"
.venv/bin/daphne -b 127.0.0.1 -p "${PORT:-8000}" chatsite.asgi:application &
pids+=("$!")
# `wait` (unlike a foreground child) lets the INT/TERM trap run at once.
wait "${pids[-1]}"
