#!/usr/bin/env bash
# Lint, type-check the pure modules, and run the whole test suite (browser tests included).
# The database is SQLite unless FENGQIAO_DB=postgres and DATABASE_URL say otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "[test] ruff"
.venv/bin/ruff check fengqiao tests
echo "[test] mypy (pure modules)"
.venv/bin/mypy
echo "[test] pytest on ${FENGQIAO_DB:-sqlite}"
exec .venv/bin/pytest "$@"
