#!/usr/bin/env bash
# Everything the real-JupyterHub test (tests/hub/test_hub.py) needs, installed
# the way an admin would: Debian's python3-venv, nodejs and npm; a hub venv made
# with Debian's /usr/bin/python3 in a world-readable folder (a venv from another
# Python may point into root's 0700 home, and every user's server runs from it)
# holding jupyterhub, jupyterhub-idle-culler and the kit's wheel; and
# configurable-http-proxy from npm.
#
# Usage: tests/hub/prepare.sh PYTHON PREFIX
#   PYTHON  the checkout's venv Python (builds the wheel)
#   PREFIX  where to install (default /opt/backkit-hub-test); reused by later runs
# Prints "skip: REASON" and exits 0 when this machine cannot run the test
# (not root, no apt-get): the test itself then skips with the same reason.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${1:?the checkout venv python}
PREFIX=${2:-/opt/backkit-hub-test}
SKIP_FILE=$PREFIX.skip

skip() {
  echo "make test-hub: skip: $*"
  mkdir -p "$(dirname "$SKIP_FILE")" 2>/dev/null && echo "$*" >"$SKIP_FILE" || true
  exit 0
}

[ "$(id -u)" = 0 ] || skip "needs root (it creates and removes local users)"
command -v apt-get >/dev/null 2>&1 || skip "needs apt-get (Debian) to install python3-venv, nodejs and npm"
command -v useradd >/dev/null 2>&1 || skip "needs useradd"
rm -f "$SKIP_FILE"

want=()
/usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null || want+=(python3-venv)
command -v node >/dev/null 2>&1 || want+=(nodejs)
command -v npm >/dev/null 2>&1 || want+=(npm)
command -v chromium >/dev/null 2>&1 || want+=(chromium)
if [ ${#want[@]} -gt 0 ]; then
  echo "installing ${want[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}" >/dev/null
fi

mkdir -p "$PREFIX"
chmod 0755 "$PREFIX"
if [ ! -x "$PREFIX/venv/bin/python" ]; then
  echo "making the hub venv with /usr/bin/python3 in $PREFIX/venv"
  /usr/bin/python3 -m venv "$PREFIX/venv"
fi

# The kit as an admin installs it: its wheel, with its dependencies.
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
"$PYTHON" -m pip wheel --quiet --no-deps --no-build-isolation -w "$wheels" .
wheel=$(ls "$wheels"/backkit-*.whl)
pip() {  # quiet, without the machine's notes about index folders it ignores
  "$PREFIX/venv/bin/python" -m pip --disable-pip-version-check "$@" 2> >(grep -v "is ignored" >&2)
}
pip install --quiet "jupyterhub>=5,<7" "jupyterhub-idle-culler>=1.2" "$wheel"
# the same version number as last time: reinstall, so the checkout's code is what runs
pip install --quiet --no-deps --force-reinstall "$wheel"

if [ ! -x "$PREFIX/proxy/node_modules/.bin/configurable-http-proxy" ]; then
  echo "installing configurable-http-proxy (npm) in $PREFIX/proxy"
  npm install --silent --no-fund --no-audit --prefix "$PREFIX/proxy" "configurable-http-proxy@5" >/dev/null
fi

chmod -R a+rX "$PREFIX"
echo "hub environment ready in $PREFIX: $("$PREFIX/venv/bin/jupyterhub" --version 2>/dev/null | tail -1)," \
  "configurable-http-proxy $("$PREFIX/proxy/node_modules/.bin/configurable-http-proxy" --version)," \
  "$(basename "$wheel")"
