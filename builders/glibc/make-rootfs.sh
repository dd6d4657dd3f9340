#!/usr/bin/env bash
# Builds the root filesystem of an offline glibc builder image with debootstrap.
#
# Usage: make-rootfs.sh <rootfs-dir> <debian-arch> <suite> <mirror> <python-x.y>
#
# All parameters arrive as positional arguments from farm (src/images/), never
# interpolated into a shell string. The caller imports the directory with
# `docker import` and removes it afterwards (builders/lib/remove-rootfs.sh).
set -euo pipefail

if [ "$#" -ne 5 ]; then
  echo "usage: $0 <rootfs-dir> <debian-arch> <suite> <mirror> <python-x.y>" >&2
  exit 2
fi
rootfs=$1 arch=$2 suite=$3 mirror=$4 python=$5
pytag="cp${python/./}"   # 3.11 -> cp311

step() { printf '==> %s\n' "$*"; }

# What every build needs: the interpreter with headers (C extensions), pip,
# setuptools, wheel and venv (build isolation), a C and C++ toolchain. apt is
# part of minbase, so recipes can still apt-get their -dev packages.
packages=python3,python3-dev,python3-pip,python3-setuptools,python3-wheel,python3-venv
packages+=,gcc,g++,libc6-dev,make,pkg-config,ca-certificates

# --variant=minbase keeps the image small (no init system, no man pages).
# For armhf/arm64 the second stage runs the foreign binaries through the
# kernel's binfmt_misc handler; with qemu registered with the F flag (as
# qemu-user-static/binfmt-support do on Debian) the emulator is resolved on the
# host, so no --foreign/--second-stage split and no copied qemu binary is needed.
step "debootstrap $suite ($arch) from $mirror"
debootstrap --variant=minbase --arch="$arch" --include="$packages" "$suite" "$rootfs" "$mirror"

# Fail here, not in the first build, if the suite's Python is not the one asked for.
have=$(chroot "$rootfs" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ "$have" != "$python" ]; then
  echo "make-rootfs: $suite provides Python $have, not $python" >&2
  exit 3
fi

# The image contract: /opt/python/cpXY-cpXY/bin/python, as in the PyPA images.
step "linking /opt/python/$pytag-$pytag"
mkdir -p "$rootfs/opt/python/$pytag-$pytag/bin"
ln -sf "/usr/bin/python$python" "$rootfs/opt/python/$pytag-$pytag/bin/python"
ln -sf "/usr/bin/python$python" "$rootfs/opt/python/$pytag-$pytag/bin/python3"
ln -sf "/usr/bin/pip3" "$rootfs/opt/python/$pytag-$pytag/bin/pip"

# Build containers run as a non-root user (uid 1000) by contract.
step "creating build user (uid 1000)"
chroot "$rootfs" useradd --create-home --uid 1000 --user-group --shell /bin/bash build

# Debian marks its Python "externally managed" (PEP 668); builds install into
# throwaway containers, so pip may install there without --break-system-packages.
rm -f "$rootfs"/usr/lib/python3*/EXTERNALLY-MANAGED

# Host-specific files debootstrap copied in, and the package cache: Docker
# provides resolv.conf/hostname at run time, and recipes run apt-get update.
step "cleaning up"
chroot "$rootfs" apt-get clean
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*
: > "$rootfs/etc/resolv.conf"
echo farm-builder > "$rootfs/etc/hostname"
step "rootfs ready: $(du -sh "$rootfs" | cut -f1)"
