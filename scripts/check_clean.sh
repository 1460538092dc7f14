#!/usr/bin/env bash
# After the tests: the checkout must look as it did before them. Tests write
# only under their own temporary folders, so any new or changed file (ignored
# ones included: a WAL beside a fixture, a screenshot) is a test's fault.
#
# Usage: scripts/check_clean.sh --save FILE   before the tests
#        scripts/check_clean.sh FILE          after them (without FILE: the
#                                             checkout must be clean)
set -uo pipefail
cd "$(dirname "$0")/.."
git rev-parse --git-dir >/dev/null 2>&1 || { echo "check_clean: not a git checkout, nothing to check"; exit 0; }

# What the kit itself keeps beside the checkout (the venv, caches) is not a
# test's doing.
status() {
  git status --porcelain --untracked-files=all --ignored \
    | grep -vE '^!! "?(\.venv/|.*__pycache__/|\.ruff_cache/|\.mypy_cache/|\.pytest_cache/|build/|dist/|.*\.egg-info/)'
}

if [ "${1:-}" = --save ]; then
  status > "$2"
  exit 0
fi
before=${1:-/dev/null}
after=$(status)
if [ "$after" != "$(cat "$before" 2>/dev/null)" ]; then
  echo "The tests changed the checkout (they must write only under their own temporary folders):"
  diff <(cat "$before" 2>/dev/null) <(echo "$after") | grep '^[<>]' | head -n 20
  exit 1
fi
echo "The checkout is as the tests found it."
