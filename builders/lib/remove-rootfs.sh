#!/usr/bin/env bash
# Removes a bootstrap working directory safely.
#
# Usage: remove-rootfs.sh <dir>
#
# debootstrap mounts /proc and /sys inside the rootfs and leaves them mounted
# when it fails half-way; deleting through those mounts would reach the host's
# /proc and /sys. So: unmount everything below <dir> (deepest first), then
# delete without crossing into any other filesystem.
set -euo pipefail
[ "$#" -eq 1 ] || { echo "usage: $0 <dir>" >&2; exit 2; }
dir=$(realpath -e -- "$1" 2>/dev/null) || exit 0
case "$dir" in
  /|/usr|/usr/*|/etc|/etc/*|/proc*|/sys*|/dev*) echo "remove-rootfs: refusing $dir" >&2; exit 2 ;;
esac
# Mount points are field 5 of mountinfo; sort -r puts children before parents.
awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
  while IFS= read -r m; do umount -l -- "$m" || true; done
rm -rf --one-file-system -- "$dir"
