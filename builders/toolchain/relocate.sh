#!/usr/bin/env bash
# Runs inside the toolchain's debootstrap chroot (make-rootfs.sh copies it
# there): gives every native program under <prefix>/usr the tree's own loader
# and libraries. The kernel runs an x86_64 ELF natively wherever it is, as
# long as its PT_INTERP exists; DT_RPATH (unlike RUNPATH) also applies to the
# libraries' own dependencies. The C library and the loader are left alone.
# Usage: relocate.sh <prefix>
set -euo pipefail
prefix=$1
libdir="$prefix/usr/lib/x86_64-linux-gnu"
loader="$libdir/ld-linux-x86-64.so.2"
patched=0
# A list file, not process substitution: a fresh chroot has no /dev/fd.
list=$(mktemp)
find "$prefix/usr" -type f -perm -u+x -print0 >"$list"
while IFS= read -r -d '' f; do
  case "$f" in "$libdir"/libc.so.* | "$libdir"/ld-linux-* | "$libdir"/libc-*) continue ;; esac
  # Only ELF files with an interpreter (programs, not scripts or plain libraries).
  [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
  patchelf --print-interpreter "$f" >/dev/null 2>&1 || continue
  patchelf --set-interpreter "$loader" --force-rpath --set-rpath "$libdir" "$f"
  patched=$((patched + 1))
done <"$list"
rm -f "$list"
echo "patched $patched programs to use $loader"
