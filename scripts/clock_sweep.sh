#!/usr/bin/env bash
# The tests and examples must pass whatever day it is. The suite pins the
# kit's clock ($BACKKIT_TODAY, read by backkit.config.now/today); this runs
# the part that depends on the date (unit tests, doctests, notebooks: not the
# browser or slow process tests) with the clock on each weekday, one of them
# the moment the clocks go forward in London and another the last half hour
# of a year, and once more with the computer's own clock moved to another day
# by faketime (the pinned clock must win everywhere).
#
# Usage: scripts/clock_sweep.sh [DAY ...]   (default: all of them)
# Env:   PYTHON (default .venv/bin/python)
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}

# day|zone: a local date (read as 10:00 there) or an instant, and the kit's zone
days=(
  "2026-12-07|UTC"                            # Monday
  "2026-12-08|UTC"                            # Tuesday
  "2026-12-09|UTC"                            # Wednesday
  "2026-12-31T23:30:00+00:00|Europe/Lisbon"   # Thursday, the last half hour of the year
  "2026-12-11|UTC"                            # Friday
  "2026-12-12|America/New_York"               # Saturday
  "2027-03-28T00:50:00+00:00|Europe/London"   # Sunday, ten minutes before the clocks go forward
)
[ $# -gt 0 ] && days=("$@")

run() {  # run LABEL ENV... : the date-dependent tests with those settings
  local label=$1 start=$SECONDS
  shift
  if env "$@" "$PYTHON" -m pytest -q -p no:cacheprovider -n 2 --dist loadscope \
      -m "not browser and not slow" --ignore=tests/browser > "$log" 2>&1; then
    echo "   $label: $(tail -n 1 "$log") ($((SECONDS - start)) s)"
  else
    echo "   $label: FAILED ($((SECONDS - start)) s)"
    grep -E '^(FAILED|ERROR)' "$log" | sed 's/^/      /'
    tail -n 1 "$log" | sed 's/^/      /'
    failed=1
  fi
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=0
echo "== clock sweep: the date-dependent tests on ${#days[@]} days"
for entry in "${days[@]}"; do
  day=${entry%%|*}
  zone=${entry#*|}
  [ "$zone" = "$entry" ] && zone=UTC
  run "$day ($zone)" BACKKIT_TODAY="$day" BACKKIT_TZ="$zone"
done
if command -v faketime >/dev/null 2>&1; then
  # The computer says Saturday 2028-02-26; the pinned clock must win everywhere.
  run "computer's clock on 2028-02-26" faketime "2028-02-26 22:30:00"
else
  echo "   (faketime is not installed: the run with the computer's clock moved is left out)"
fi
exit $failed
