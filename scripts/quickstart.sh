#!/usr/bin/env bash
# farm's quick start: from a fresh checkout to a served wheel index.
#
#   bash scripts/quickstart.sh           # ... then serves until Ctrl-C
#   bash scripts/quickstart.sh --check   # ... then checks the served index and exits
#
# 1. sets up the host if needed (Docker, Redis, qemu/binfmt: scripts/setup-host.sh, as root);
# 2. installs and builds farm (npm ci only when node_modules is missing; npm run build);
# 3. builds the builder images offline (farm images bootstrap; present images are skipped);
# 4. starts a local upstream index with the example projects (no PyPI needed);
# 5. builds examples/requirements.txt for glibc-x86_64, glibc-armv7 and musl-x86_64;
# 6. serves the repositories in the foreground (Ctrl-C stops it); with --check
#    (non-interactive: CI, scripts) it serves them in the background instead,
#    pip-installs and imports the examples from the served index in a
#    container of each target, stops serving and exits 0 (1 if a check failed).
#
# Idempotent: a second run reuses everything and reports every wheel as cached.
# Environment: FARM_QUICKSTART_PORT (default 8080), FARM_QUICKSTART_HOST (default 127.0.0.1).
set -euo pipefail

check=0
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "quickstart: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

port="${FARM_QUICKSTART_PORT:-8080}"
host="${FARM_QUICKSTART_HOST:-127.0.0.1}"
targets="glibc-x86_64,glibc-armv7,musl-x86_64"
export FARM_CONFIG="$here/examples/farm.config.yaml"
# The example config owns these; a REDIS_URL or FARM_ROOT from the caller's
# shell would send the quick start somewhere else.
unset REDIS_URL FARM_ROOT FARM_INDEX_URL

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
else
  step() { printf '\n==> %s\n' "$*"; }
fi
farm() { node "$here/bin/farm.js" "$@"; }

step "host set-up"
if [ "$(id -u)" -eq 0 ]; then
  bash "$here/scripts/setup-host.sh"
elif ! docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
  echo "quickstart: the Docker engine is not reachable; set the host up first with:" >&2
  echo "  sudo bash scripts/setup-host.sh" >&2
  exit 2
fi

# The example upstream index offers Debian's pip/setuptools/wheel wheels, so
# that pip's build isolation works without PyPI.
for whl in pip setuptools wheel; do
  if ! compgen -G "/usr/share/python-wheels/$whl-*.whl" >/dev/null; then
    echo "quickstart: Debian's $whl wheel is missing from /usr/share/python-wheels; install it with:" >&2
    echo "  apt-get install python3-pip-whl python3-setuptools-whl python3-wheel-whl" >&2
    exit 2
  fi
done

step "install and build farm"
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
else
  echo "node_modules present: skipping npm ci"
fi
npm run build --silent

step "builder images (offline bootstrap; present images are skipped)"
farm images bootstrap --targets "$targets"

step "example upstream index (examples/packages; no PyPI needed)"
state="$here/farm-data/.quickstart"
mkdir -p "$state"
rm -f "$state/upstream/url"
# node itself (not npx) in the background, so $! is the server and kill stops it.
node --import tsx "$here/examples/offline-upstream.ts" "$state/upstream" &
upstream_pid=$!
trap 'kill "$upstream_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -s "$state/upstream/url" ] && break
  kill -0 "$upstream_pid" 2>/dev/null || { echo "quickstart: the example upstream index did not start" >&2; exit 1; }
  sleep 0.2
done
[ -s "$state/upstream/url" ] || { echo "quickstart: the example upstream index did not start within 20 s" >&2; exit 1; }
upstream_url="$(cat "$state/upstream/url")"

step "farm build examples/requirements.txt --targets $targets"
farm build examples/requirements.txt --targets "$targets" --index-url "$upstream_url"

kill "$upstream_pid" 2>/dev/null || true
wait "$upstream_pid" 2>/dev/null || true
trap - EXIT

if [ "$check" = 1 ]; then
  step "checking the served index on http://$host:$port/ (--check)"
  node "$here/bin/farm.js" serve --host "$host" --port "$port" &
  serve_pid=$!
  trap 'kill "$serve_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    # bash's own /dev/tcp: a connect succeeds once farm serve listens.
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && break
    kill -0 "$serve_pid" 2>/dev/null || { echo "quickstart: farm serve did not start" >&2; exit 1; }
    sleep 0.2
  done
  # pip in a fresh container of each target (host network: the index is on
  # $host), installing from the served index only, then importing.
  probe='import farm_demo_fastsum as f, farm_demo_hello as h, platform; assert f.fastsum(range(10)) == 45; assert f.machine() == platform.machine(); print("ok", f.machine(), h.greet("farm"))'
  for spec in glibc-x86_64:glibc:linux/amd64 musl-x86_64:musl:linux/amd64 glibc-armv7:glibc:linux/arm/v7; do
    IFS=: read -r target repo platform <<<"$spec"
    echo "pip install farm-demo-fastsum farm-demo-hello on $target:"
    docker run --rm --network host --platform "$platform" --label farm.quickstart=check \
      -e PIP_DISABLE_PIP_VERSION_CHECK=1 -e PIP_NO_CACHE_DIR=1 -e PIP_ROOT_USER_ACTION=ignore -e PYTHONPATH=/tmp/site \
      "farm/builder-$target:bootstrap-py3.11" \
      sh -c '"$1" -m pip install -q --target /tmp/site --index-url "$2" farm-demo-fastsum farm-demo-hello && "$1" -c "$3"' \
      sh /opt/python/cp311-cp311/bin/python "http://$host:$port/$repo/simple/" "$probe"
  done
  kill "$serve_pid" 2>/dev/null || true
  wait "$serve_pid" 2>/dev/null || true
  trap - EXIT
  step "quick start checked: the index serves working wheels for $targets"
  exit 0
fi

step "serving the index on http://$host:$port/ (Ctrl-C stops it)"
cat <<MSG
Install the examples from it, e.g. in a virtualenv:
  pip install --index-url http://$host:$port/glibc/simple/ farm-demo-fastsum farm-demo-hello
or keep PyPI and add farm:
  pip install --extra-index-url http://$host:$port/glibc/simple/ farm-demo-fastsum
MSG
exec node "$here/bin/farm.js" serve --host "$host" --port "$port"
