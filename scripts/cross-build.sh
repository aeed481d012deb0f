#!/usr/bin/env bash
# Builds bangtin for a Raspberry Pi 4/5 (Raspberry Pi OS bookworm, 64-bit) on a Debian, Ubuntu
# or Raspberry Pi OS machine: adds Rust's aarch64 target and the aarch64 C cross-compiler
# (the `ring` crate compiles C), then builds a release binary to copy onto the Pi.
#
#   bash scripts/cross-build.sh            release build; prints where the binary is
#   bash scripts/cross-build.sh --check    only type-checks for aarch64 (what CI runs)
#
# Other arguments are passed on to cargo. An existing CARGO_TARGET_DIR is honoured.
# Safe to run again: it installs only what is missing. Needs root or sudo for apt-get.
set -euo pipefail

target=aarch64-unknown-linux-gnu

mode=build
if [ "${1:-}" = "--check" ]; then
  mode=check
  shift
fi

# A relative CARGO_TARGET_DIR means relative to where the script was started, not the repo.
if [ -n "${CARGO_TARGET_DIR:-}" ] && [ "${CARGO_TARGET_DIR#/}" = "$CARGO_TARGET_DIR" ]; then
  CARGO_TARGET_DIR="$PWD/$CARGO_TARGET_DIR"
  export CARGO_TARGET_DIR
fi
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null || ! command -v rustup >/dev/null; then
  cat >&2 <<'MSG'
cross-build: Rust (with rustup) is not installed. Install it with rustup (https://rustup.rs):
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y && . "$HOME/.cargo/env"
then run this command again. bangtin needs Rust 1.89 or newer.
MSG
  exit 1
fi

# The C compiler and linker for aarch64. On an arm64 machine (a Pi building for itself) the
# native gcc is already one, under the name aarch64-linux-gnu-gcc.
if [ "$(uname -m)" = "aarch64" ]; then
  packages=(gcc libc6-dev)
else
  packages=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
fi
# shellcheck source=scripts/apt-install.sh
. scripts/apt-install.sh
apt_install cross-build "${packages[@]}"
command -v aarch64-linux-gnu-gcc >/dev/null || {
  echo "cross-build: aarch64-linux-gnu-gcc not found even after installing ${packages[*]}" >&2
  exit 1
}

# Rust's standard library for the Pi. `rustup target add` needs the network, so only if missing.
if ! rustup target list --installed | grep -qx "$target"; then
  echo "cross-build: adding the Rust target $target"
  rustup target add "$target"
fi

# Link with the cross gcc, and let the `cc` crate (used by `ring`) compile C with it too.
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export AR_aarch64_unknown_linux_gnu="${AR_aarch64_unknown_linux_gnu:-aarch64-linux-gnu-ar}"
# The window and GPU libraries (Wayland, X11, Vulkan, EGL) are opened at run time on the Pi,
# not linked, so no aarch64 pkg-config or -dev packages are needed.

if [ "$mode" = check ]; then
  cargo check --locked --target "$target" --bins "$@"
  echo "cross-build: bangtin type-checks for $target"
  exit 0
fi

cargo build --locked --release --target "$target" "$@"
bin="${CARGO_TARGET_DIR:-$PWD/target}/$target/release/bangtin"
cat <<MSG
cross-build: built $bin
Copy it to the Pi with the kiosk/ folder and install it there, for example:
  ssh pi@BOARD mkdir -p /tmp/bangtin
  scp $bin kiosk/* pi@BOARD:/tmp/bangtin/
  ssh pi@BOARD 'cd /tmp/bangtin && sudo bash install.sh ./bangtin'
MSG
