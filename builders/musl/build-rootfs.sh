#!/usr/bin/env bash
# Builds the root filesystem of farm's offline musl builder image.
#
# Runs as root inside a THROWAWAY builder container started from farm's glibc
# bootstrap image of the same architecture (farm/builder-glibc-<arch>), with
# network access to the Debian mirror only. Debian ships no musl Python, so
# this compiles one from Debian's source packages with musl-gcc and puts it in
# a minimal rootfs: busybox, musl, gcc/binutils/make, /opt/python/cpXY-cpXY.
#
# Usage: build-rootfs.sh <mirror> <suite> <python-x.y> <output-tar>
#
# All parameters are positional arguments from farm (src/images/); nothing is
# interpolated into a shell string. The caller imports <output-tar> with
# `docker import` and removes the container.
#
# Limits (documented in builders/README.md): the result is not Alpine (no apk)
# and has no musl C++ compiler.
set -euo pipefail

if [ "$#" -ne 4 ]; then
  echo "usage: $0 <mirror> <suite> <python-x.y> <output-tar>" >&2
  exit 2
fi
mirror=$1 suite=$2 python=$3 output=$4
pytag="cp${python/./}"                  # 3.11 -> cp311
prefix="/opt/python/$pytag-$pytag"      # the image contract's interpreter home

arch=$(uname -m)                        # x86_64 | aarch64 (musl's own arch names)
gnu_triple=$(gcc -dumpmachine)          # x86_64-linux-gnu: where glibc gcc keeps its files
musl_triple="$arch-linux-musl"          # Debian's musl-dev layout
musl_inc="/usr/include/$musl_triple"
musl_lib="/usr/lib/$musl_triple"
loader="ld-musl-$arch.so.1"
soname="libc.musl-$arch.so.1"           # what Alpine/musllinux extensions record as NEEDED
jobs=$(nproc)
src=/tmp/farm-src
stage=/tmp/farm-openssl                 # OpenSSL's own prefix (it has no --includedir)
rootfs=/tmp/farm-rootfs

logs=/tmp/farm-logs
mkdir -p "$logs"
step() { printf '==> %s\n' "$*"; }
# Compilers print thousands of lines; keep them in a log and show its tail
# only when the command fails, so progress stays one line per step.
quiet() { # <log-name> <command...>
  local name=$1
  shift
  if ! "$@" >"$logs/$name.log" 2>&1; then
    echo "build-rootfs: '$*' failed; last lines of its output:" >&2
    tail -n 60 "$logs/$name.log" >&2
    exit 1
  fi
}
export DEBIAN_FRONTEND=noninteractive

# The builder image's own /opt/python holds symlinks to Debian's glibc
# Python; CPython for musl is installed there instead.
rm -rf /opt/python

step "installing musl and build tools from $mirror $suite"
# musl-tools gives the musl-gcc wrapper and specs file; busybox-static the
# userland of the final image; perl (OpenSSL's Configure) and tcl (SQLite's
# amalgamation generator) are build-only.
# Deliberately NOT dpkg-dev: `apt-get source --download-only` does not need
# it, and when CPython's setup.py finds dpkg-architecture it adds glibc's
# /usr/include/<triplet> to every module's include path, so most modules fail.
echo "deb-src $mirror $suite main" > /etc/apt/sources.list.d/farm-deb-src.list
quiet apt-update apt-get update
quiet apt-install apt-get install -y --no-install-recommends \
  musl musl-dev musl-tools busybox-static make perl tcl xz-utils bzip2
if command -v dpkg-architecture >/dev/null; then
  echo "build-rootfs: dpkg-architecture is installed; CPython would build against glibc headers" >&2
  exit 1
fi

step "downloading Debian source packages"
# Upstream tarballs (*.orig.tar.*) of Debian's source packages: the mirror is
# the only source farm's offline bootstrap may use.
mkdir -p "$src"
chown _apt "$src"   # apt downloads as _apt where it can write
cd "$src"
quiet apt-source apt-get source --download-only musl "python$python" zlib libffi bzip2 xz-utils sqlite3 openssl
unpack() { # <source-package>: unpacks its upstream tarball and enters its source directory
  local tarball='' f
  for f in "$src/$1"_*.orig.tar.*; do
    case "$f" in *.asc) ;; *) tarball=$f ;; esac
  done
  [ -n "$tarball" ] || { echo "build-rootfs: no upstream tarball for $1" >&2; exit 1; }
  rm -rf "$src/unpacked-$1"
  mkdir -p "$src/unpacked-$1"
  tar -C "$src/unpacked-$1" -xf "$tarball"
  local dirs=("$src/unpacked-$1"/*/)
  cd "${dirs[0]}"
}

step "rebuilding musl with SONAME $soname"
# Debian's musl libc.so has no SONAME, so extensions linked against it record
# NEEDED libc.so, which neither musllinux nor Alpine provide. Installing over
# Debian's files keeps musl-gcc's specs (which name these dirs) valid.
unpack musl
quiet musl-configure ./configure --prefix=/usr --includedir="$musl_inc" --libdir="$musl_lib" --syslibdir=/lib \
  --disable-wrapper LDFLAGS="-Wl,-soname,$soname"
quiet musl-make make -j"$jobs"
quiet musl-install make install
# The loader is the libc itself; make it reachable by both names.
rm -f "/lib/$loader"
cp -L "$musl_lib/libc.so" "/lib/$loader"
ln -sf "$loader" "/lib/$soname"
ln -sf "/lib/$loader" "$musl_lib/libc.so"

step "copying kernel headers into $musl_inc"
# musl's headers do not include the kernel's; OpenSSL and CPython need
# <linux/...> and <asm/...>, and -nostdinc hides glibc's copies.
cp -a /usr/include/linux /usr/include/asm-generic "$musl_inc/"
cp -a "/usr/include/$gnu_triple/asm" "$musl_inc/"

step "patching musl-gcc"
# Debian's wrapper answers -print-multiarch with x86_64-linux-gnu: CPython's
# configure then aborts, and setup.py adds glibc's include and lib dirs.
# The wrapper calls the real gcc by its full name so `cc`/`gcc` wrappers in
# the final image can point at musl-gcc without a loop.
real_gcc=$(readlink -f "$(command -v gcc)")
# Debian's musl-gcc is a symlink to $musl_triple-gcc: replace both, not the
# link's target.
rm -f /usr/bin/musl-gcc "/usr/bin/$musl_triple-gcc"
cat > /usr/bin/musl-gcc <<WRAPPER
#!/bin/sh
# gcc targeting musl (farm bootstrap image). -print-multiarch answers empty:
# this is not a Debian multiarch system.
for arg in "\$@"; do
  case "\$arg" in -print-multiarch|--print-multiarch) echo; exit 0 ;; esac
done
exec "\${REALGCC:-$real_gcc}" "\$@" -specs "$musl_lib/musl-gcc.specs"
WRAPPER
chmod 755 /usr/bin/musl-gcc
ln -s musl-gcc "/usr/bin/$musl_triple-gcc"
multiarch=$(musl-gcc -print-multiarch)
[ -z "$multiarch" ] || { echo "build-rootfs: musl-gcc -print-multiarch still answers $multiarch" >&2; exit 1; }

# Static, position-independent libraries in the musl dirs: CPython's modules
# (and later C extensions) link them in, so the image needs no shared copies.
export CC=musl-gcc CFLAGS="-O2 -fPIC"
autotools_static=(--prefix=/usr --includedir="$musl_inc" --libdir="$musl_lib" --disable-shared --enable-static --with-pic)

step "building zlib"
unpack zlib
quiet zlib-configure ./configure --static --prefix=/usr --includedir="$musl_inc" --libdir="$musl_lib"
quiet zlib-make make -j"$jobs" libz.a
quiet zlib-install make install

step "building libffi"
unpack libffi
quiet libffi-configure ./configure "${autotools_static[@]}" --disable-docs --disable-multi-os-directory
quiet libffi-make make -j"$jobs"
quiet libffi-install make install

step "building bzip2"
unpack bzip2
quiet bzip2-make make -j"$jobs" CC=musl-gcc CFLAGS="-O2 -fPIC -D_FILE_OFFSET_BITS=64" libbz2.a
install -m 644 libbz2.a "$musl_lib/"
install -m 644 bzlib.h "$musl_inc/"

step "building xz (liblzma)"
unpack xz-utils
quiet xz-configure ./configure "${autotools_static[@]}" --disable-xz --disable-xzdec --disable-lzmadec \
  --disable-lzmainfo --disable-lzma-links --disable-scripts --disable-doc --disable-nls
quiet xz-make make -j"$jobs"
quiet xz-install make install

step "building sqlite"
# Debian's orig tarball is SQLite's source tree; tclsh generates the
# amalgamation from it, which is then compiled as one static object.
unpack sqlite3
quiet sqlite-configure ./configure --disable-tcl --disable-readline
quiet sqlite-amalgamation make sqlite3.c
quiet sqlite-compile musl-gcc -O2 -fPIC -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_JSON1 -DSQLITE_THREADSAFE=1 -c sqlite3.c -o sqlite3.o
ar rcs "$musl_lib/libsqlite3.a" sqlite3.o
install -m 644 sqlite3.h sqlite3ext.h "$musl_inc/"

step "building OpenSSL"
# Only the libraries (no apps, tests or docs): CPython's _ssl and _hashlib
# link them statically. /etc/ssl matches where the image keeps CA certificates.
unpack openssl
case "$arch" in
  x86_64) ossl_target=linux-x86_64 ;;
  aarch64) ossl_target=linux-aarch64 ;;
  *) echo "build-rootfs: no OpenSSL target for $arch" >&2; exit 3 ;;
esac
quiet openssl-configure ./Configure "$ossl_target" no-shared no-tests no-afalgeng -fPIC \
  --prefix="$stage" --libdir=lib --openssldir=/etc/ssl CC=musl-gcc
quiet openssl-make make -j"$jobs" build_libs
quiet openssl-install make install_dev
cp -a "$stage/include/openssl" "$musl_inc/"
cp -a "$stage"/lib/libssl.a "$stage"/lib/libcrypto.a "$musl_lib/"

step "building CPython $python (configure + make -j$jobs)"
# CPPFLAGS/LDFLAGS point at the musl dirs: without them configure does not
# find libffi and silently drops _ctypes. ensurepip installs pip and setuptools.
unpack "python$python"
quiet python-configure ./configure --prefix="$prefix" --with-openssl="$stage" --with-ensurepip=install \
  --disable-test-modules CC=musl-gcc CFLAGS="-O2" CPPFLAGS="-I$musl_inc" LDFLAGS="-L$musl_lib"
quiet python-make make -j"$jobs"
quiet python-install make install
# Refuse an interpreter that lost modules builds rely on. Checked outside the
# source tree: setuptools' distutils shim stands down where pybuilddir.txt is.
cd /
# (setuptools in its own process: importing it after pip's distutils trips
# setuptools' distutils override check.)
"$prefix/bin/python3" -c 'import ctypes, ssl, hashlib, zlib, bz2, lzma, sqlite3, venv, pip'
"$prefix/bin/python3" -c 'import setuptools'
ln -sf "python$python" "$prefix/bin/python"
ln -sf "pip$python" "$prefix/bin/pip"

step "adding wheel from Debian's python3-wheel"
# ensurepip brings pip and setuptools but not wheel; Debian's is pure Python.
site=$("$prefix/bin/python3" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cp -a /usr/lib/python3/dist-packages/wheel "$site/"
cp -a /usr/lib/python3/dist-packages/wheel-*-info "$site/"
"$prefix/bin/python3" -c 'import wheel.bdist_wheel'

step "trimming the interpreter"
rm -rf "$prefix/lib/python$python/test" "$prefix/lib/python$python/idlelib" \
  "$prefix/lib/python$python/tkinter" "$prefix/lib/python$python/turtledemo" "$prefix/share"
find "$prefix" -name '*.a' -delete
find "$prefix" -type f \( -name '*.so' -o -path "$prefix/bin/python$python" \) -exec strip --strip-unneeded {} +

step "assembling the rootfs"
rm -rf "$rootfs"
mkdir -p "$rootfs"/{bin,sbin,etc,lib,root,home/build,tmp,dev,proc,sys,usr/bin,usr/sbin,usr/lib,usr/include,usr/local/bin,opt/python,var/tmp}
chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"

# musl: the loader (= libc), its runtime name, headers, crt files, static libs.
cp -a "/lib/$loader" "/lib/$soname" "$rootfs/lib/"
mkdir -p "$rootfs$musl_lib" "$rootfs$musl_inc"
cp -a "$musl_lib"/. "$rootfs$musl_lib/"
cp -a "$musl_inc"/. "$rootfs$musl_inc/"
cp -a /usr/bin/musl-gcc "$rootfs/usr/bin/"
ln -s musl-gcc "$rootfs/usr/bin/$musl_triple-gcc"

# The compiler: glibc's gcc driver, cc1, collect2, the gcc runtime objects and
# headers, binutils and make. They are glibc programs; their shared libraries
# and glibc's loader are copied below.
gcc_dir=$(dirname "$(gcc -print-libgcc-file-name)")
mkdir -p "$rootfs$gcc_dir"
for f in cc1 collect2 lto-wrapper liblto_plugin.so libgcc.a libgcc_eh.a crtbegin.o crtbeginS.o crtbeginT.o \
  crtend.o crtendS.o include; do
  cp -a "$gcc_dir/$f" "$rootfs$gcc_dir/"
done
cp -a "$real_gcc" "$rootfs$real_gcc"
tools=(ar as ld ld.bfd nm objcopy objdump ranlib readelf size strings strip addr2line)
for t in "${tools[@]}"; do
  cp -L "/usr/bin/$t" "$rootfs/usr/bin/$t"
done
mkdir -p "$rootfs/usr/lib/$gnu_triple"
if [ -d "/usr/lib/$gnu_triple/ldscripts" ]; then cp -a "/usr/lib/$gnu_triple/ldscripts" "$rootfs/usr/lib/$gnu_triple/"; fi
cp -L /usr/bin/make "$rootfs/usr/bin/make"

# cc and gcc compile for musl: sdists call them directly, and CPython's
# sysconfig names musl-gcc. There is deliberately no c++/g++.
for name in cc gcc; do
  printf '#!/bin/sh\n# farm bootstrap image: C compiles target musl.\nexec musl-gcc "$@"\n' > "$rootfs/usr/bin/$name"
  chmod 755 "$rootfs/usr/bin/$name"
done

# Shared libraries of every glibc program copied above, and glibc's loader,
# at the paths ldd reports (glibc's loader searches them by default).
glibc_programs=("$rootfs$real_gcc" "$rootfs$gcc_dir/cc1" "$rootfs$gcc_dir/collect2" "$rootfs$gcc_dir/lto-wrapper"
  "$rootfs$gcc_dir/liblto_plugin.so" "$rootfs/usr/bin/make")
for t in "${tools[@]}"; do glibc_programs+=("$rootfs/usr/bin/$t"); done
# ldd prints "name => /path (addr)" for libraries and "/loader (addr)" for the loader.
ldd "${glibc_programs[@]}" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } NF == 2 && $1 ~ /^\// { print $1 }' |
  sort -u | while IFS= read -r lib; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done

# CPython and its certificates (pip against an https index).
cp -a /opt/python/. "$rootfs/opt/python/"
mkdir -p "$rootfs/etc/ssl/certs"
cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
ln -s certs/ca-certificates.crt "$rootfs/etc/ssl/cert.pem"

# busybox: sh, coreutils, tar, wget... Linked last, and only where nothing
# else landed: cp onto an absolute busybox link would overwrite the builder's
# own /bin/busybox instead of writing into the rootfs.
cp /bin/busybox "$rootfs/bin/busybox"
/bin/busybox --list-full | while IFS= read -r applet; do
  [ -e "$rootfs/$applet" ] || [ -L "$rootfs/$applet" ] || ln -s /bin/busybox "$rootfs/$applet"
done

# Users: root, and the non-root build user of the image contract.
cat > "$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
build:x:1000:1000:farm build user:/home/build:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$rootfs/etc/group" <<'GROUP'
root:x:0:
build:x:1000:
nogroup:x:65534:
GROUP
chown 1000:1000 "$rootfs/home/build"
cat > "$rootfs/etc/farm-builder" <<INFO
farm offline musl builder: Python $python ($prefix), musl from Debian $suite, $arch.
No apk (not Alpine) and no C++ compiler for musl.
INFO

step "smoke test: a C extension links against musl only"
# Compiles a tiny extension inside the new rootfs with its own tools.
mkdir -p "$rootfs/tmp/smoke"
printf '#include <Python.h>\nstatic struct PyModuleDef m = {PyModuleDef_HEAD_INIT, "smoke"};\nPyMODINIT_FUNC PyInit_smoke(void) { return PyModule_Create(&m); }\n' \
  > "$rootfs/tmp/smoke/smoke.c"
chroot "$rootfs" /bin/sh -c 'cd /tmp/smoke && cc -shared -fPIC $("$0" -c "import sysconfig; print(\"-I\" + sysconfig.get_paths()[\"include\"])") smoke.c -o smoke.so && readelf -d smoke.so | grep NEEDED && cd /tmp/smoke && "$0" -c "import smoke"' \
  "$prefix/bin/python"
needed=$(readelf -d "$rootfs/tmp/smoke/smoke.so" | grep NEEDED)
if [ "$(printf '%s\n' "$needed" | wc -l)" -ne 1 ] || ! printf '%s' "$needed" | grep -q "\[$soname\]"; then
  echo "build-rootfs: smoke extension does not link $soname only: $needed" >&2
  exit 4
fi
rm -rf "$rootfs/tmp/smoke"

step "writing $output ($(du -sh "$rootfs" | cut -f1))"
tar -C "$rootfs" --numeric-owner -cf "$output" .
