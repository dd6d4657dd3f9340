#!/usr/bin/env bash
# What `npm test` needs before the integration tests run, checked (and, as
# root, installed) in one place, so that the README's two commands work in
# order on a fresh machine: `bash scripts/quickstart.sh` sets up what farm
# itself needs; this script adds what only the test suite drives (nginx,
# tmux, docker-compose, a Python with venv, ...), through the same
# scripts/setup-host.sh.
#
# The builder images the integration suites build in: the quick start's
# three targets and the cross toolchain, plus glibc-aarch64, which only the
# hybrid ARM suite needs. `farm images bootstrap` skips present images, so on
# a machine that ran the quick start this costs one image (about 10 minutes
# under qemu, once).
#
# Usage: scripts/test-prerequisites.sh [--check-only]
#   (default)     as root: runs `scripts/setup-host.sh --with-test-tools` when
#                 something is missing, then checks again; then bootstraps
#                 the builder images that are missing
#   --check-only  never installs; reports what is missing and the command
#                 that installs it
# Exit status: 0 everything present, 1 something missing (each named, with
# the fix), 2 usage.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fix="sudo bash scripts/setup-host.sh --with-test-tools"
install=1
for arg in "$@"; do
  case "$arg" in
    --check-only) install=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "test-prerequisites: unknown option $arg" >&2; exit 2 ;;
  esac
done

redis_url="${FARM_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
# Keep in step with the targets the integration suites name.
image_targets="glibc-x86_64,glibc-armv7,musl-x86_64,glibc-aarch64"
image_fix="npm run build && node bin/farm.js images bootstrap --targets $image_targets"

# One line per missing thing: "<what>: <why the tests need it>".
missing=()
check() {
  missing=()
  local tool
  # Programs the integration tests start themselves.
  for tool in docker redis-server redis-cli nginx tmux git openssl python3 twine unshare nsenter chromium; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool: not found on PATH")
  done
  if ! command -v docker-compose >/dev/null 2>&1 && ! docker compose version >/dev/null 2>&1; then
    missing+=("docker-compose: neither 'docker compose' nor 'docker-compose' is available (compose.yaml is validated with it)")
  fi
  if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    missing+=("python3 venv: 'python3 -m venv' cannot create virtualenvs (pip clients in the tests)")
  fi
  # Services the tests talk to.
  if command -v docker >/dev/null 2>&1 && ! docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
    missing+=("Docker engine: not reachable through $(docker context inspect --format '{{.Endpoints.docker.Host}}' 2>/dev/null || echo 'the default socket')")
  fi
  if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -u "$redis_url" ping 2>/dev/null | grep -q PONG; then
    missing+=("Redis: nothing answers at $redis_url")
  fi
  local emu
  for emu in qemu-arm qemu-aarch64; do
    if ! head -n1 "/proc/sys/fs/binfmt_misc/$emu" 2>/dev/null | grep -q enabled; then
      missing+=("$emu: no enabled binfmt_misc handler (ARM builder containers)")
    fi
  done
}

check
if [ "${#missing[@]}" -gt 0 ] && [ "$install" = 1 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "test-prerequisites: missing: ${missing[*]%%:*}; running scripts/setup-host.sh --with-test-tools"
    bash "$here/scripts/setup-host.sh" --with-test-tools
    check
  fi
fi

# Builder images, once the engine answers. Which images a target needs (and
# whether a present one is stale) is farm's own decision, so it is asked
# rather than re-derived here: bootstrap builds only what is missing.
missing_images() {
  local target
  for target in ${image_targets//,/ }; do
    docker image inspect "farm/builder-$target:bootstrap-py3.11" >/dev/null 2>&1 || echo "$target"
  done
}
if [ "${#missing[@]}" -eq 0 ]; then
  absent="$(missing_images | paste -sd, -)"
  if [ -n "$absent" ] && [ "$install" = 1 ]; then
    echo "test-prerequisites: builder images missing for $absent; bootstrapping (skips present images)"
    [ -f "$here/dist/cli/main.js" ] || (cd "$here" && npm run build --silent)
    node "$here/bin/farm.js" images bootstrap --targets "$image_targets"
    absent="$(missing_images | paste -sd, -)"
  fi
  if [ -n "$absent" ]; then
    image_problem="builder images for $absent: the integration suites build in them"
  fi
fi

if [ "${#missing[@]}" -gt 0 ] || [ -n "${image_problem:-}" ]; then
  {
    echo "test-prerequisites: the integration tests need what is missing here:"
    for line in "${missing[@]}"; do echo "  - $line"; done
    [ -z "${image_problem:-}" ] || echo "  - $image_problem"
    if [ "${#missing[@]}" -gt 0 ]; then
      echo "Install and start all of it with:"
      echo "  $fix"
      echo "then run this script again (it bootstraps the builder images)"
    else
      echo "Build them with:"
      echo "  $image_fix"
    fi
  } >&2
  exit 1
fi
echo "test-prerequisites: all present"
