#!/usr/bin/env bash
# The oldest and the newest dependency sets pyproject.toml admits, each in its
# own venv built by uv from an interpreter already on this machine (never a
# downloaded one), then the unit tests and notebooks in each (no browser tests:
# `make test` runs those once).
#
#   oldest: Python 3.10, `--resolution lowest-direct` (every floor we declare)
#   newest: Python 3.13, `--resolution highest`
#
# Usage: scripts/test_matrix.sh [oldest|newest ...]   (default: both)
# Env:   UV (default .venv/bin/uv), MATRIX_DIR (default .matrix),
#        BACKKIT_PYTHON310 / BACKKIT_PYTHON313 to name the interpreters.
set -euo pipefail
cd "$(dirname "$0")/.."

UV=${UV:-.venv/bin/uv}
MATRIX_DIR=${MATRIX_DIR:-.matrix}
export UV_PYTHON_DOWNLOADS=never   # the interpreters must come from the machine
export UV_NO_PROGRESS=1

find_python() {  # find_python 3.10 -> path of a working python3.10, or fail
  local want=$1 override=$2 candidate
  local pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
  for candidate in "$override" \
      $(ls -d "$pyenv_root"/versions/"$want".*/bin/python 2>/dev/null | sort -V | tail -1) \
      "$(command -v "python$want" || true)" "/usr/bin/python$want" "/usr/local/bin/python$want"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    # pyenv's shims exist for every version but run only the selected one
    if "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "test-matrix: no Python $want on this machine (set BACKKIT_PYTHON${want/./})" >&2
  return 1
}

run_set() {  # run_set NAME PYTHON_VERSION RESOLUTION
  local name=$1 version=$2 resolution=$3 override python venv start
  override=$(eval echo "\${BACKKIT_PYTHON${version/./}:-}")
  python=$(find_python "$version" "$override")
  venv="$MATRIX_DIR/$name"
  start=$SECONDS
  echo "== test-matrix $name: Python $version ($python), resolution $resolution"
  rm -rf "$venv"
  "$UV" venv --quiet --python "$python" "$venv"
  "$UV" pip install --quiet --python "$venv/bin/python" --resolution "$resolution" \
    -e ".[test]"
  "$UV" pip freeze --python "$venv/bin/python" | grep -v '^-e' > "$MATRIX_DIR/$name-versions.txt"
  echo "-- $name: $(grep -ciE '^[a-z0-9]' "$MATRIX_DIR/$name-versions.txt") packages; the kit's direct dependencies:"
  grep -iE '^(jupyterlab|notebook|ipywidgets|ipykernel|pandas|numpy|matplotlib|pyyaml|nbclient|nbconvert|voila|platformdirs|tzlocal|anywidget|pytest|nbval|openpyxl|mistune)==' \
    "$MATRIX_DIR/$name-versions.txt" | tr '\n' ' '
  echo
  # The browser tests, the wheel test and the git-status check (which does not
  # depend on versions) run once, in `make test`; so do the Portuguese
  # notebooks, whose code is their English twins' (the Portuguese words under
  # each version are tests/test_i18n_*.py's), in every region.
  "$venv/bin/python" -m pytest -p no:cacheprovider -q -n 2 --dist loadscope \
    --ignore=tests/browser --ignore=tests/test_wheel.py --ignore=notebooks/pt \
    --deselect tests/test_no_english.py::test_the_portuguese_notebooks_in_the_other_regions \
    --deselect tests/test_workspace.py::test_running_every_notebook_from_the_workspace_leaves_the_checkout_clean \
    -o "junit_suite_name=$name" --junitxml="$MATRIX_DIR/$name-junit.xml"
}

mkdir -p "$MATRIX_DIR"
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(oldest newest)
results=()
status=0
# Every set runs even when one fails, so both results are seen: each runs in
# a subshell that stops at its own first error (errexit off out here).
set +e
for set in "${sets[@]}"; do
  start=$SECONDS
  case $set in
    oldest) (set -e; run_set oldest 3.10 lowest-direct) ;;
    newest) (set -e; run_set newest 3.13 highest) ;;
    *) echo "test-matrix: unknown set $set (oldest or newest)" >&2; exit 2 ;;
  esac
  code=$?
  if [ $code -eq 0 ]; then
    results+=("$set: passed in $((SECONDS - start)) s")
  else
    results+=("$set: FAILED (exit $code) after $((SECONDS - start)) s")
    status=1
  fi
done
echo "== test-matrix results:"
printf '   %s\n' "${results[@]}"
exit $status
