#!/usr/bin/env bash
# Installs what building and testing bangtin needs on Debian, Ubuntu or Raspberry Pi OS:
# Mesa's software GPU drivers (so rendering works with no GPU at all) and a C toolchain;
# with --test, also what the tests talk to (Mosquitto, Chromium and its WebDriver).
# Safe to run again: it installs only what is missing. Needs root or sudo for apt-get.
set -euo pipefail

packages=(
  # Vulkan (lavapipe) and OpenGL (llvmpipe) software rendering; a Pi uses its V3D driver.
  mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgl1-mesa-dri
  # Building the crate.
  gcc pkg-config
  # The board's window on X11 (winit loads these at run time); Wayland kiosks use cage's.
  libx11-6 libx11-xcb1 libxcursor1 libxrandr2 libxi6 libxkbcommon-x11-0
  # Video: GStreamer to build against, and its decoders (H.264/HEVC/VP9/AV1 through libav;
  # the Pi's V4L2 hardware decoders are in -good and -bad).
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav
)
# With --test: the MQTT broker most deployments run, for the interop tests (and mosquitto_pub).
if [ "${1:-}" = "--test" ]; then
  packages+=(mosquitto mosquitto-clients openssl)
  # An X server without a screen, for the test of the board in a real window.
  packages+=(xvfb)
  # A board clock the tests can set while the board runs (the clock-behind regression).
  packages+=(faketime)
  # systemd-analyze, for the checks of the kiosk's service units (verify, security scores).
  packages+=(systemd)
  # A real browser for the staff console's tests, driven over WebDriver.
  packages+=(chromium chromium-driver)
  # The API contract test is a Python script (standard library only).
  packages+=(python3)
  # The video tests make their clips with x264; the video harness's peer is gst-play-1.0.
  packages+=(gstreamer1.0-plugins-ugly gstreamer1.0-plugins-base-apps)
fi

# shellcheck source=scripts/apt-install.sh
. "$(dirname "$0")/apt-install.sh"
apt_install setup "${packages[@]}"

if ! command -v cargo >/dev/null; then
  cat >&2 <<'MSG'
setup: Rust is not installed. Install it with rustup (https://rustup.rs):
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y && . "$HOME/.cargo/env"
then run this command again. bangtin needs Rust 1.89 or newer.
MSG
  exit 1
fi
