#!/usr/bin/env bash
# Builds bangtin for a Raspberry Pi 4/5 (Raspberry Pi OS bookworm, 64-bit) on a Debian, Ubuntu
# or Raspberry Pi OS machine: adds Rust's aarch64 target, the aarch64 C cross-compiler (the
# `ring` crate compiles C) and Debian's arm64 GStreamer libraries (video; bangtin links them),
# then builds a release binary to copy onto the Pi.
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

# The C compiler and linker for aarch64, and GStreamer (with GLib under it): bangtin links
# libgstreamer, libgstapp, libgstvideo and libgstpbutils, whose -sys crates' build scripts ask
# pkg-config for them. On an arm64 machine (a Pi building for itself) the native gcc is already
# one, under the name aarch64-linux-gnu-gcc, and the native -dev packages are the right ones.
# shellcheck source=scripts/apt-install.sh
. scripts/apt-install.sh
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
native=0
[ "$(uname -m)" = "aarch64" ] && native=1
if ((native)); then
  apt_install cross-build gcc libc6-dev pkg-config libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
else
  apt_install cross-build gcc-aarch64-linux-gnu libc6-dev-arm64-cross pkg-config
fi
command -v aarch64-linux-gnu-gcc >/dev/null || {
  echo "cross-build: aarch64-linux-gnu-gcc not found even after installing gcc-aarch64-linux-gnu (or, on arm64, gcc)" >&2
  exit 1
}

if ((!native)); then
  # GStreamer for aarch64 on a PC: Debian's arm64 packages, installed next to the PC's own
  # (multiarch: they go to /usr/lib/aarch64-linux-gnu). Only what is Multi-Arch: same can be
  # installed that way: libgstreamer1.0-dev (with libglib2.0-dev, liborc-0.4-dev) and the
  # arm64 libraries of -plugins-base. apt may upgrade a few amd64 libraries to the same version.
  arm64_packages=(libgstreamer1.0-dev:arm64 liborc-0.4-dev:arm64 libgstreamer-plugins-base1.0-0:arm64)
  added_arch=0
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    [ -z "$sudo" ] || command -v sudo >/dev/null || {
      echo "cross-build: need root (or sudo) to run: dpkg --add-architecture arm64" >&2
      exit 1
    }
    echo "cross-build: adding the arm64 architecture to apt (dpkg --add-architecture arm64)"
    $sudo dpkg --add-architecture arm64
    added_arch=1
  fi
  if ! apt_install cross-build "${arm64_packages[@]}"; then
    # Leave apt as it was: an architecture its sources do not carry breaks `apt-get update`.
    if ((added_arch)) && [ -z "$(dpkg-query -W -f='${binary:Package}\n' '*:arm64' 2>/dev/null)" ]; then
      $sudo dpkg --remove-architecture arm64 || true
    fi
    cat >&2 <<MSG
cross-build: could not install the arm64 GStreamer libraries: ${arm64_packages[*]}
  Debian's mirrors carry arm64; install them by hand to see why:
    sudo dpkg --add-architecture arm64 && sudo apt-get update
    sudo apt-get install --no-install-recommends ${arm64_packages[*]}
  On Ubuntu, arm64 comes from ports.ubuntu.com: add it as a source with "Architectures: arm64"
  (and "Architectures: amd64" on the existing ones) first.
MSG
    exit 1
  fi

  # libgstreamer-plugins-base1.0-dev (libgstapp, libgstvideo, libgstpbutils) is not Multi-Arch:
  # same in bookworm: installing it for arm64 would remove the amd64 one, which builds for this
  # PC need. Its pkg-config files and .so links are unpacked from its .deb into a folder of ours
  # instead (unless it is installed for arm64 already), pointing at the arm64 libraries above.
  gst_pc=/usr/lib/aarch64-linux-gnu/pkgconfig
  gst_dev="${XDG_CACHE_HOME:-$HOME/.cache}/bangtin/aarch64-gstreamer-plugins-base-dev"
  if ! dpkg-query -W -f='${Status}' libgstreamer-plugins-base1.0-dev:arm64 2>/dev/null | grep -q "install ok installed"; then
    gst_base_version=$(dpkg-query -W -f='${Version}' libgstreamer-plugins-base1.0-0:arm64)
    if [ "$(cat "$gst_dev/version" 2>/dev/null)" != "$gst_base_version" ]; then
      echo "cross-build: unpacking libgstreamer-plugins-base1.0-dev:arm64 $gst_base_version into $gst_dev"
      tmp=$(mktemp -d)
      # As root, apt would warn that its sandbox user cannot write to our temporary folder.
      sandbox=()
      [ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
      # The version of the libraries installed; else (no longer on the mirror) the current one:
      # the pkg-config files and .so links do not change within 1.22.
      (cd "$tmp" && { apt-get download -qq "${sandbox[@]}" "libgstreamer-plugins-base1.0-dev:arm64=$gst_base_version" \
        || apt-get download -qq "${sandbox[@]}" libgstreamer-plugins-base1.0-dev:arm64; }) || {
        rm -rf "$tmp"
        echo "cross-build: could not download libgstreamer-plugins-base1.0-dev:arm64 (apt-get download)" >&2
        exit 1
      }
      dpkg-deb -x "$tmp"/libgstreamer-plugins-base1.0-dev_*_arm64.deb "$tmp/deb"
      rm -rf "$gst_dev.new"
      mkdir -p "$gst_dev.new"
      mv "$tmp/deb/usr" "$gst_dev.new/usr"
      rm -rf "$tmp"
      # Its headers and links from here; the libraries themselves from the system.
      sed -i "s|^prefix=/usr\$|prefix=$gst_dev/usr|" "$gst_dev.new/usr/lib/aarch64-linux-gnu/pkgconfig/"*.pc
      for link in "$gst_dev.new/usr/lib/aarch64-linux-gnu/"*.so; do
        ln -sfn "/usr/lib/aarch64-linux-gnu/$(readlink "$link")" "$link"
      done
      echo "$gst_base_version" >"$gst_dev.new/version"
      rm -rf "$gst_dev"
      mv "$gst_dev.new" "$gst_dev"
    fi
    gst_pc=$gst_dev/usr/lib/aarch64-linux-gnu/pkgconfig:$gst_pc
  fi

  # pkg-config for the aarch64 target only (the build scripts and proc macros, built for this
  # PC, keep finding its own libraries): the arm64 .pc files, none of this PC's; the `pkg-config`
  # crate reads these per-target variables. Cross pkg-config needs ALLOW_CROSS.
  export PKG_CONFIG_ALLOW_CROSS_aarch64_unknown_linux_gnu=1
  export PKG_CONFIG_LIBDIR_aarch64_unknown_linux_gnu="${PKG_CONFIG_LIBDIR_aarch64_unknown_linux_gnu:-$gst_pc:/usr/share/pkgconfig}"
  for module in gstreamer-1.0 gstreamer-app-1.0 gstreamer-video-1.0 gstreamer-pbutils-1.0; do
    PKG_CONFIG_LIBDIR=$PKG_CONFIG_LIBDIR_aarch64_unknown_linux_gnu pkg-config --exists "$module" || {
      echo "cross-build: pkg-config finds no aarch64 $module in $PKG_CONFIG_LIBDIR_aarch64_unknown_linux_gnu;" >&2
      echo "  install ${arm64_packages[*]} (and remove $gst_dev if it exists), then run this again" >&2
      exit 1
    }
  done
fi

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
# not linked: GStreamer and GLib (above) are the only aarch64 -dev packages needed.

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
