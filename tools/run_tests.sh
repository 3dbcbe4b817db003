#!/usr/bin/env bash
# Set up (as tools/setup_env.sh, plus the test requirements) and run the whole test suite,
# the slow end-to-end tests included. Extra arguments go to pytest (e.g. -m "not slow").
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
MMSGNAS_WITH_TESTS=1 bash tools/setup_env.sh
exec .venv/bin/python -m pytest tests "$@"
