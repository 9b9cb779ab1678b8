#!/usr/bin/env bash
# Run the whole test suite (unit, provider conformance through the openai SDK, websocket,
# real model, real browser). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
bash scripts/setup.sh dev
exec .venv/bin/python -m pytest "$@"
