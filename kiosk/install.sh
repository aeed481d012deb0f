#!/usr/bin/env bash
# Installs bangtin as a board on Raspberry Pi OS bookworm (64-bit), or on Debian 12.
#
#   sudo bash install.sh [BINARY] [--headless] [--no-start]
#   sudo bash install.sh --uninstall [--purge]
#
# BINARY      the bangtin program built for this computer (default: ./bangtin next to this script
#             or in the current folder, else target/release/bangtin). For a Pi, build it with
#             scripts/cross-build.sh on a PC, or with `cargo build --release` on the Pi.
# --headless  a Pi without a screen: installs bangtin-headless.service (frames written as PNG
#             to /run/bangtin/frames) instead of bangtin.service (full screen, in cage).
# --no-start  install and enable, but do not start the board now.
# --uninstall stop the board, remove its service and program; the config (/etc/bangtin) and the
#             cache (/var/lib/bangtin) stay, unless --purge is given too.
#
# Safe to run again: to update the program, run it again with the new binary. An existing
# /etc/bangtin/board.toml is never replaced.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
prefix=/usr/local/bin
confdir=/etc/bangtin
config=$confdir/board.toml
store=/var/lib/bangtin
cache=/var/cache/bangtin
units=/etc/systemd/system
journald_dropin=/etc/systemd/journald.conf.d/bangtin.conf
# The example key in board.example.toml (and in the guide): a board must not keep trusting it.
example_key="6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw="

say() { echo "install: $*"; }
die() { echo "install: $*" >&2; exit 1; }
usage() { sed -n '2,17s/^# \{0,1\}//p' "$0"; }

binary="" headless=0 start=1 uninstall=0 purge=0
for arg in "$@"; do
  case "$arg" in
    --headless) headless=1 ;;
    --no-start) start=0 ;;
    --uninstall) uninstall=1 ;;
    --purge) purge=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option $arg" ;;
    *) [ -z "$binary" ] || die "only one BINARY may be given (got $binary and $arg)"; binary="$arg" ;;
  esac
done
((purge == 0 || uninstall == 1)) || die "--purge goes with --uninstall"

[ "$(id -u)" -eq 0 ] || die "run this as root: sudo bash $0 $*"
[ -d /run/systemd/system ] || die "systemd is not running on this computer; bangtin needs it"

if ((headless)); then
  unit=bangtin-headless.service other=bangtin.service
else
  unit=bangtin.service other=bangtin-headless.service
fi
name=${unit%.service}

# --- Uninstall ------------------------------------------------------------------------------
if ((uninstall)); then
  for u in bangtin.service bangtin-headless.service; do
    systemctl disable --now "$u" >/dev/null 2>&1 || true
    rm -f "$units/$u"
  done
  systemctl daemon-reload
  systemctl reset-failed bangtin.service bangtin-headless.service >/dev/null 2>&1 || true
  rm -f "$prefix/bangtin"
  if [ -e "$journald_dropin" ]; then
    rm -f "$journald_dropin"
    systemctl restart systemd-journald || true
  fi
  if ((purge)); then
    rm -rf "$confdir" "$store" "$cache"
    if id bangtin >/dev/null 2>&1; then userdel bangtin; fi
    getent group bangtin >/dev/null && groupdel bangtin
    say "removed bangtin, its config ($confdir), its cache ($store) and the user bangtin."
  else
    say "removed the bangtin program and service."
    say "kept the config ($confdir) and the cache ($store); 'sudo bash $0 --uninstall --purge' removes them too."
  fi
  say "the packages installed with it (cage, Mesa) were left in place."
  exit 0
fi

# --- The program ----------------------------------------------------------------------------
if [ -z "$binary" ]; then
  for candidate in "$here/bangtin" ./bangtin target/release/bangtin "$here/../target/release/bangtin"; do
    if [ -f "$candidate" ]; then binary=$candidate; break; fi
  done
  [ -n "$binary" ] || die "no bangtin program found here; give its path: sudo bash $0 PATH/TO/bangtin"
fi
[ -f "$binary" ] || die "$binary: no such file"
# A bare name (bangtin) would be looked up in PATH when run below; make it a path.
case "$binary" in */*) ;; *) binary=./$binary ;; esac
# Does it run on this computer at all? (A program built for a PC does not run on a Pi.)
if ! version="$("$binary" --version 2>&1)"; then
  die "$binary does not run on this computer ($(uname -m)): $version
  A Pi needs a program built for aarch64: on a PC, run scripts/cross-build.sh and use
  target/aarch64-unknown-linux-gnu/release/bangtin."
fi
say "installing $version from $binary"

# --- Packages -------------------------------------------------------------------------------
packages=(
  # Vulkan (V3D on a Pi; lavapipe without a GPU) and OpenGL ES (EGL, GBM) drivers from Mesa.
  mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgl1-mesa-dri libgbm1
  # The system's certificate authorities, for mqtts:// without ca_file.
  ca-certificates
)
if ((!headless)); then
  # The kiosk compositor, and the login session it needs (logind over D-Bus).
  packages+=(cage dbus libpam-systemd)
fi
# The board's fonts are inside the program: no font packages are needed.
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- The user bangtin -----------------------------------------------------------------------
# The groups that open the GPU (video, render) and input devices (input), where they exist.
groups=()
for g in video render input; do
  getent group "$g" >/dev/null && groups+=("$g")
done
group_list=$(IFS=,; echo "${groups[*]}")
if ! id bangtin >/dev/null 2>&1; then
  say "creating the system user bangtin (groups: $group_list)"
  useradd --system --user-group --home-dir /nonexistent --no-create-home \
    --shell /usr/sbin/nologin --comment "bangtin bulletin board" bangtin
fi
if ((${#groups[@]})); then usermod -a -G "$group_list" bangtin; fi

# --- Files ----------------------------------------------------------------------------------
# The program. install writes a new file, so a running board keeps its old copy until restarted.
if ! [ "$binary" -ef "$prefix/bangtin" ]; then
  install -m 0755 "$binary" "$prefix/bangtin"
fi

# The config: readable by the board, not by other users (it may hold the broker's password).
install -d -m 0750 -o root -g bangtin "$confdir"
if [ -f "$here/board.example.toml" ]; then
  install -m 0640 -o root -g bangtin "$here/board.example.toml" "$confdir/board.example.toml"
fi
if [ -e "$config" ]; then
  say "keeping the existing $config"
  chgrp bangtin "$config"
  chmod 0640 "$config"
else
  [ -f "$here/board.example.toml" ] || die "$here/board.example.toml is missing; copy the whole kiosk folder"
  install -m 0640 -o root -g bangtin "$here/board.example.toml" "$config"
  say "wrote $config from the example: edit it before the board can run"
fi

# The cache (store.dir), and Mesa's shader cache. systemd also creates both at start.
install -d -m 0750 -o bangtin -g bangtin "$store" "$cache"

# --- Logs -----------------------------------------------------------------------------------
# Cap the journal (all services' logs) so that it can never fill the SD card.
journald_conf='# Written by bangtin install.sh: keep the logs small on an SD card.
[Journal]
# Logs kept on the card (/var/log/journal), at most:
SystemMaxUse=64M
# Logs kept in memory (/run/log/journal) when the journal is not kept on the card, at most:
RuntimeMaxUse=32M'
if [ "$(cat "$journald_dropin" 2>/dev/null)" != "$journald_conf" ]; then
  install -d -m 0755 "$(dirname "$journald_dropin")"
  printf '%s\n' "$journald_conf" >"$journald_dropin"
  chmod 0644 "$journald_dropin"
  systemctl restart systemd-journald
  say "capped the system log at 64 MiB ($journald_dropin)"
fi

# --- The service ----------------------------------------------------------------------------
[ -f "$here/$unit" ] || die "$here/$unit is missing; copy the whole kiosk folder"
# Only one of the two boards: remove the other kind if it was installed before.
if [ -e "$units/$other" ]; then
  say "removing $other (installed before)"
  systemctl disable --now "$other" >/dev/null 2>&1 || true
  rm -f "$units/$other"
fi
install -m 0644 "$here/$unit" "$units/$unit"
systemctl daemon-reload

# An enabled desktop (lightdm on Raspberry Pi OS with desktop) is linked here.
if ((!headless)) && [ -e "$units/display-manager.service" ]; then
  cat >&2 <<'MSG'
install: WARNING: a desktop is set to start on this computer. It uses the screen too, and the
  board will not show. Use Raspberry Pi OS Lite, or turn the desktop off and reboot:
    sudo systemctl disable display-manager.service
    sudo systemctl set-default multi-user.target
MSG
fi

# --- Check the config -----------------------------------------------------------------------
# As the user bangtin, so that a config it cannot read is caught too.
config_ok=1
if ! runuser -u bangtin -- "$prefix/bangtin" check --config "$config"; then
  config_ok=0
  cat >&2 <<MSG

install: $config has the problems above; the board is NOT started.
  Open it with:  sudo nano $config
  Each line above names the line of the file and what is wrong. Usually:
  - [board]: id, area and name of THIS board;
  - [broker]: url, username and password the district gave you;
  - [[trust]]: for each key, the one line of its .pub file after public = "...".
  The guide, docs/operations.md ("The board config"), explains every setting.
  Then run this again:  sudo bash $0 $*
MSG
elif [ -f "$here/board.example.toml" ] && cmp -s "$config" "$here/board.example.toml"; then
  config_ok=0
  echo "install: $config is still the example, unchanged; the board is NOT started." >&2
elif grep -v '^[[:space:]]*#' "$config" | grep -qF "$example_key"; then
  config_ok=0
  echo "install: $config still trusts the example key from the guide; the board is NOT started." >&2
  echo "  Replace it with your district's key (its .pub file), then run this again." >&2
fi
# Files the config names but `check` does not open: the board stops at start without them.
while IFS= read -r path; do
  if [ -n "$path" ] && ! runuser -u bangtin -- test -r "$path"; then
    config_ok=0
    echo "install: the board cannot read $path (named in $config); the board is NOT started." >&2
    echo "  Put the file there, readable by the board: sudo chgrp bangtin $path && sudo chmod 0640 $path" >&2
  fi
done < <(sed -n 's/^[[:space:]]*\(ca_file\|client_cert\|client_key\)[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\2/p' "$config")

# --- Start ----------------------------------------------------------------------------------
if ((config_ok)); then
  systemctl enable --quiet "$unit"
  if ((start)); then
    say "starting $unit (it waits for the first picture, up to 90 s)"
    if ! systemctl restart "$unit"; then
      journalctl -u "$unit" -n 30 --no-pager >&2 || true
      die "$unit did not start; the last lines of its log are above"
    fi
    say "$unit is running"
  else
    say "$unit is enabled; it starts at the next boot, or now with: sudo systemctl start $name"
  fi
fi
# With a bad config nothing is enabled, started or restarted: on a first install the board
# stays off (rather than restarting again and again); a board already running keeps running.

if ((config_ok)); then
  cat <<MSG

Done. From now on:
  - to change the board: sudo nano $config
    then check it:        sudo -u bangtin bangtin check --config $config
    and restart it:       sudo systemctl restart $name
  - to add a key: one more [[trust]] block in the config, with the line of its .pub file
  - to watch the log:     journalctl -u $name -f
  The guide for installers is docs/operations.md.
MSG
else
  cat <<MSG

Next steps:
  1. Edit the config: sudo nano $config
     (this board's id, area and name; the broker; one [[trust]] block per key, with the line
     of its .pub file). Then check it: sudo -u bangtin bangtin check --config $config
  2. Run this script again: it starts the board once the config is right.
  3. Watch the board's log: journalctl -u $name -f
  The guide for installers is docs/operations.md.
MSG
  exit 1
fi
