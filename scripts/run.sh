#!/usr/bin/env bash
# Set up (if needed) and serve chatsite on http://127.0.0.1:${PORT:-8000} with the embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh runtime
echo "chatsite: open http://127.0.0.1:${PORT:-8000}/ (the first account you sign up is the admin)"
exec .venv/bin/daphne -b 127.0.0.1 -p "${PORT:-8000}" chatsite.asgi:application
