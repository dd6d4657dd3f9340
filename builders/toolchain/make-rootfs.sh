#!/usr/bin/env bash
# Builds the root filesystem of farm's native cross toolchain image: Debian's
# x86_64 cross compilers for armhf and arm64, binutils, ccache and patchelf,
# relocated under /farm/toolchain so that the tree runs natively inside any
# container (an emulated ARM build container, a musl image, an x86_64 image)
# it is mounted into, without touching the container's own paths.
#
# Usage: make-rootfs.sh <work-dir> <suite> <mirror> <gcc-major>
#
# <work-dir>/rootfs is the result (only farm/toolchain/ in it); <work-dir>/debootstrap
# is scratch. All parameters arrive as positional arguments from farm
# (src/images/), never interpolated into a shell string.
set -euo pipefail

if [ "$#" -ne 4 ]; then
  echo "usage: $0 <work-dir> <suite> <mirror> <gcc-major>" >&2
  exit 2
fi
work=$1 suite=$2 mirror=$3 gccv=$4
deb="$work/debootstrap"
prefix=/farm/toolchain
tree="$deb$prefix"

step() { printf '==> %s\n' "$*"; }

# Triplet of each ARM architecture farm cross-compiles for, by wheel arch
# (the directory name under /farm/toolchain), and Debian's name for it.
declare -A TRIPLET=([armv7l]=arm-linux-gnueabihf [aarch64]=aarch64-linux-gnu)
declare -A DEBARCH=([armv7l]=armhf [aarch64]=arm64)

packages=ccache,patchelf,ca-certificates
for arch in "${!TRIPLET[@]}"; do
  packages+=",gcc-$gccv-${TRIPLET[$arch]},g++-$gccv-${TRIPLET[$arch]},binutils-${TRIPLET[$arch]}"
done

step "debootstrap $suite (amd64) from $mirror: cross compilers"
debootstrap --variant=minbase --arch=amd64 --include="$packages" "$suite" "$deb" "$mirror"

# The compilers must see the *container's* C library, headers and libraries
# (--sysroot=/, Debian's default for its cross compilers), never the copy of
# glibc the cross packages bring along: a wheel built against Debian's
# libc6-dev-armhf-cross could need symbols the target image does not have.
# gcc's own runtime (libgcc, libstdc++ and their headers) stays: it matches
# the compiler and is linked like the native compiler's.
step "removing the cross packages' copy of the target C library"
for arch in "${!TRIPLET[@]}"; do
  d=${DEBARCH[$arch]}
  for pkg in "libc6-$d-cross" "libc6-dev-$d-cross" "linux-libc-dev-$d-cross"; do
    chroot "$deb" dpkg-query -W "$pkg" >/dev/null 2>&1 || continue
    chroot "$deb" dpkg -L "$pkg" | while IFS= read -r f; do
      if [ -f "$deb$f" ] || [ -L "$deb$f" ]; then rm -f "$deb$f"; fi
    done
  done
done

step "relocating /usr to $prefix/usr"
mkdir -p "$tree"
versions=$(chroot "$deb" dpkg-query -W -f '${Package} ${Version}\n' | grep -E '^(gcc-|g\+\+-|binutils-|ccache|patchelf|libc6 )' | sort)
cp -a "$deb/usr" "$tree/usr"
rm -rf "$tree/usr/share/doc" "$tree/usr/share/man" "$tree/usr/share/info" "$tree/usr/share/locale" \
  "$tree/usr/share/lintian" "$tree/usr/share/zoneinfo" "$tree/usr/lib/x86_64-linux-gnu/perl"* "$tree/usr/share/perl"*

step "pointing native programs at $prefix's own loader"
here=$(cd "$(dirname "$0")" && pwd)
cp "$here/relocate.sh" "$deb/tmp/farm-relocate.sh"
chroot "$deb" bash /tmp/farm-relocate.sh "$prefix"
rm -f "$deb/tmp/farm-relocate.sh"

# The names builds call. /farm/toolchain/<arch>/bin holds the hybrid
# compiler: cc, gcc, c++, g++, cpp, the binutils (ld, ar, as, strip, ...) and
# every <triplet>-name, all relative links into usr/bin, so gcc finds cc1 and
# its libraries relative to its own location. /farm/toolchain/ccache/bin
# holds ccache under the compilers' names: ccache runs the next program of
# the same name on PATH (the hybrid or the image's own compiler).
link() { ln -sfn "$1" "$2"; }
for arch in "${!TRIPLET[@]}"; do
  t=${TRIPLET[$arch]}
  bin="$tree/$arch/bin"
  mkdir -p "$bin"
  for prog in "$tree/usr/bin/$t-"*; do
    name=$(basename "$prog")
    link "../../usr/bin/$name" "$bin/$name"
    short=${name#"$t-"}
    short=${short%"-$gccv"}
    link "../../usr/bin/$name" "$bin/$short"
    link "../../usr/bin/$name" "$bin/$t-$short"
  done
  link "../../usr/bin/$t-gcc-$gccv" "$bin/cc"
  link "../../usr/bin/$t-g++-$gccv" "$bin/c++"
  link "../../usr/bin/$t-g++-$gccv" "$bin/$t-c++"
done
mkdir -p "$tree/ccache/bin"
for name in cc gcc c++ g++ "gcc-$gccv" "g++-$gccv"; do
  link ../../usr/bin/ccache "$tree/ccache/bin/$name"
  for t in x86_64-linux-gnu "${TRIPLET[@]}"; do
    case "$name" in cc) continue ;; esac
    link ../../usr/bin/ccache "$tree/ccache/bin/$t-$name"
  done
done

# Proof before it ships: each cross compiler compiles and links a program
# from inside the relocated tree (here the chroot's own root is the sysroot,
# which has no ARM libraries, so only compile and assemble are checked).
step "checking the relocated compilers"
for arch in "${!TRIPLET[@]}"; do
  printf 'int f(int x) { return x * 3; }\n' >"$deb/tmp/farm-check.c"
  chroot "$deb" "$prefix/$arch/bin/gcc" -O2 -fPIC -c /tmp/farm-check.c -o /tmp/farm-check.o
  chroot "$deb" "$prefix/$arch/bin/g++" -O2 -fPIC -x c++ -c /tmp/farm-check.c -o /tmp/farm-check-cxx.o
  rm -f "$deb"/tmp/farm-check*
done
chroot "$deb" "$prefix/usr/bin/ccache" --version | head -1
chroot "$deb" "$prefix/usr/bin/patchelf" --version

{
  echo "# farm cross toolchain ($suite, gcc $gccv)"
  echo "$versions"
} >"$tree/VERSIONS"
echo "$gccv" >"$tree/GCC_MAJOR"
# Run by farm when it copies the image into an engine's toolchain volume.
install -m 0755 "$here/check.sh" "$tree/check.sh"
echo "$versions"

mkdir -p "$work/rootfs/farm"
mv "$tree" "$work/rootfs/farm/toolchain"
step "rootfs ready: $(du -sh "$work/rootfs" | cut -f1)"
