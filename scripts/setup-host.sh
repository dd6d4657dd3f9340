#!/usr/bin/env bash
# Prepares a Debian host for farm: the Docker engine, Redis, qemu/binfmt for
# ARM targets, debootstrap for offline images, git for webhook fetches.
# Idempotent: every step checks first and says what it skipped, so a second
# run changes nothing.
#
# Usage: scripts/setup-host.sh [--with-test-tools]
#   --with-test-tools  also installs what the test suite drives: nginx and
#                      tmux, docker-compose (validates compose.yaml),
#                      python3-venv (pip clients in the tests), openssl
#                      (TLS certificates for Redis), twine (uploads) and
#                      pyflakes3 (`npm run lint` checks the Python container
#                      drivers), chromium (the web pages' browser tests,
#                      driven by playwright-core; no browser download).
#                      `npm test` runs this itself when something
#                      is missing (scripts/test-prerequisites.sh).
set -euo pipefail

want_test_tools=0
for arg in "$@"; do
  case "$arg" in
    --with-test-tools) want_test_tools=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "setup-host: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf 'setup-host: %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-host: must run as root (it installs packages and starts dockerd)" >&2
  exit 2
fi

# Debian's pip/setuptools/wheel wheels let builds with build isolation run
# against an offline upstream index (the quick start's, and air-gapped sites').
packages=(docker.io redis-server qemu-user-static binfmt-support debootstrap git
  python3-pip-whl python3-setuptools-whl python3-wheel-whl)
if [ "$want_test_tools" = 1 ]; then
  packages+=(nginx-light tmux docker-compose python3-venv openssl twine pyflakes3 chromium)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Debian's packages start services through policy-rc.d/systemd; on hosts
  # without systemd this script starts them itself below.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "packages present"
fi

if docker_ok() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }; docker_ok; then
  say "dockerd running"
else
  say "starting dockerd"
  mkdir -p /var/log
  setsid nohup dockerd --storage-driver=overlay2 >/var/log/farm-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do docker_ok && break; sleep 0.5; done
  docker_ok || { echo "setup-host: dockerd did not start; see /var/log/farm-dockerd.log" >&2; exit 1; }
fi

if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  say "redis-server running"
else
  say "starting redis-server on 127.0.0.1:6379"
  mkdir -p /var/lib/farm-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --dir /var/lib/farm-redis \
    --appendonly yes --logfile /var/log/farm-redis.log
  for _ in $(seq 1 40); do redis-cli ping 2>/dev/null | grep -q PONG && break; sleep 0.25; done
fi

if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
  say "mounting binfmt_misc"
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
for emu in qemu-arm qemu-aarch64; do
  if [ -e "/proc/sys/fs/binfmt_misc/$emu" ] && head -n1 "/proc/sys/fs/binfmt_misc/$emu" | grep -q enabled; then
    say "$emu enabled"
  else
    say "enabling $emu"
    update-binfmts --enable "$emu"
  fi
done
say "done"
