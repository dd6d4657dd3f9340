#!/farm/toolchain/usr/bin/sh
# Runs inside a container of the toolchain image (no shell of its own at /bin:
# everything is under /farm/toolchain) when farm copies the image into an
# engine's toolchain volume: every cross compiler must answer before the
# volume is marked ready.
# Usage: check.sh <ready-marker>
set -eu
PATH=/farm/toolchain/usr/bin
for t in arm-linux-gnueabihf aarch64-linux-gnu; do
  "/farm/toolchain/usr/bin/$t-gcc-$(cat /farm/toolchain/GCC_MAJOR)" --version >/dev/null
done
/farm/toolchain/usr/bin/ccache --version >/dev/null
touch "$1"
