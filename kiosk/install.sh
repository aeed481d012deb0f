#!/usr/bin/env bash
# Installs bangtin as a board on Raspberry Pi OS bookworm (64-bit), or on Debian 12.
#
#   sudo bash install.sh [BINARY] [--headless] [--no-start] [--ntp "SERVER ..."]
#                        [--read-only-root DEVICE | --read-write-root] [--offline]
#   sudo bash install.sh --uninstall [--purge]
#
# BINARY      the bangtin program built for this computer (default: ./bangtin next to this script
#             or in the current folder, else target/release/bangtin). For a Pi, build it with
#             scripts/cross-build.sh on a PC, or with `cargo build --release` on the Pi.
# --headless  a Pi without a screen: installs bangtin-headless.service (frames written as PNG
#             to /run/bangtin/frames) instead of bangtin.service (full screen, in cage).
# --no-start  install and enable, but do not start the board now.
# --ntp "SERVER ..."  the NTP servers the clock is set from (the province's), instead of
#             Debian's pool; kept by systemd-timesyncd. Default: the config's [board] ntp.
# --read-only-root DEVICE  make the system read-only (Raspberry Pi OS's overlay file system: a
#             power cut cannot damage it), and keep the board's cache, config and saved clock on
#             DEVICE, an ext4 partition made for them (see docs/operations.md). From the next
#             boot on, only DEVICE is written. Takes effect at the next reboot.
# --read-write-root  undo --read-only-root at the next reboot (the data stay on DEVICE); does
#             nothing else.
# --offline   install into a system that is not running (an SD card image, a chroot): nothing
#             is started, restarted or reloaded, and systemd need not be running.
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
timesyncd_dropin=/etc/systemd/timesyncd.conf.d/bangtin.conf
watchdog_dropin=/etc/systemd/system.conf.d/bangtin-watchdog.conf
# Where --read-only-root mounts the data partition, and what says it was asked for.
data_mount=/srv/bangtin-data
overlay_marker=/etc/bangtin-read-only-root
# The example key in board.example.toml (and in the guide): a board must not keep trusting it.
example_key="6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw="

say() { echo "install: $*"; }
# write_conf FILE TEXT MESSAGE: writes FILE if its text differs; true when it did.
write_conf() {
  [ "$(cat "$1" 2>/dev/null)" != "$2" ] || return 1
  install -d -m 0755 "$(dirname "$1")"
  printf '%s\n' "$2" >"$1"
  chmod 0644 "$1"
  say "$3"
}
die() { echo "install: $*" >&2; exit 1; }
usage() { sed -n '2,28s/^# \{0,1\}//p' "$0"; }

binary="" headless=0 start=1 uninstall=0 purge=0 offline=0 ntp="" data_device="" root_rw=0
args=("$@")
while (($#)); do
  case "$1" in
    --headless) headless=1 ;;
    --no-start) start=0 ;;
    --uninstall) uninstall=1 ;;
    --purge) purge=1 ;;
    --offline) offline=1 start=0 ;;
    --ntp) (($# > 1)) || die "--ntp needs the servers"; ntp="$2"; shift ;;
    --read-only-root) (($# > 1)) || die "--read-only-root needs the data partition"; data_device="$2"; shift ;;
    --read-write-root) root_rw=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) [ -z "$binary" ] || die "only one BINARY may be given (got $binary and $1)"; binary="$1" ;;
  esac
  shift
done
((purge == 0 || uninstall == 1)) || die "--purge goes with --uninstall"
[ -z "$data_device" ] || ((!root_rw)) || die "--read-only-root and --read-write-root exclude each other"
for server in $ntp; do
  [[ "$server" =~ ^[A-Za-z0-9.:-]+$ ]] || die "--ntp: $server is not a host name or address"
done
set -- "${args[@]}"

[ "$(id -u)" -eq 0 ] || die "run this as root: sudo bash $0 $*"
((offline)) || [ -d /run/systemd/system ] || die "systemd is not running on this computer; bangtin needs it (or give --offline to install into an image)"
# systemctl, except what needs a running systemd when installing offline.
live() { ((offline)) || "$@"; }

if ((headless)); then
  unit=bangtin-headless.service other=bangtin.service
else
  unit=bangtin.service other=bangtin-headless.service
fi
name=${unit%.service}

# --- Uninstall ------------------------------------------------------------------------------
if ((uninstall)); then
  for u in bangtin.service bangtin-headless.service; do
    live systemctl stop "$u" >/dev/null 2>&1 || true
    systemctl disable "$u" >/dev/null 2>&1 || true
    rm -f "$units/$u"
  done
  live systemctl daemon-reload
  live systemctl reset-failed bangtin.service bangtin-headless.service >/dev/null 2>&1 || true
  rm -f "$prefix/bangtin" "$watchdog_dropin"
  if [ -e "$timesyncd_dropin" ]; then
    rm -f "$timesyncd_dropin"
    live systemctl restart systemd-timesyncd || true
  fi
  if [ -e "$journald_dropin" ]; then
    rm -f "$journald_dropin"
    live systemctl restart systemd-journald || true
  fi
  if [ -e "$overlay_marker" ]; then
    say "the system is still read-only from boot to boot: 'sudo bash $0 --read-write-root' undoes it"
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
  say "the packages installed with it (cage, Mesa, GStreamer) were left in place."
  exit 0
fi

# --- Read-only system: helpers, and undoing it ----------------------------------------------
overlay_conf=/etc/overlayroot.local.conf
fstab_tag="# bangtin data partition (install.sh --read-only-root)"
# Runs a command on the real root file system even while the overlay is active.
on_real_root() {
  if grep -q '^overlayroot / overlay' /proc/mounts 2>/dev/null && command -v overlayroot-chroot >/dev/null; then
    overlayroot-chroot "$@"
  else
    "$@"
  fi
}
if ((root_rw)); then
  if command -v raspi-config >/dev/null; then
    raspi-config nonint disable_overlayfs
  fi
  echo 'overlayroot="disabled"' | on_real_root tee "$overlay_conf" >/dev/null
  on_real_root rm -f "$overlay_marker"
  say "the system is writable again from the next reboot; the board's data stay on $data_mount"
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
# Does it run on this computer at all? (A program built for a PC does not run on a Pi.) One
# that only lacks its libraries (GStreamer, on a fresh system) is asked again once the packages
# below are installed.
not_here="A Pi needs a program built for aarch64: on a PC, run scripts/cross-build.sh and use
  target/aarch64-unknown-linux-gnu/release/bangtin."
if version="$("$binary" --version 2>&1)"; then
  say "installing $version from $binary"
elif [[ "$version" == *"error while loading shared libraries"* ]]; then
  version=""
else
  die "$binary does not run on this computer ($(uname -m)): $version
  $not_here"
fi

# --- Packages -------------------------------------------------------------------------------
packages=(
  # Vulkan (V3D on a Pi; lavapipe without a GPU) and OpenGL ES (EGL, GBM) drivers from Mesa.
  mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgl1-mesa-dri libgbm1
  # The system's certificate authorities, for mqtts:// without ca_file.
  ca-certificates
  # Video clips: GStreamer (the program links it) and its decoders: H.264, HEVC, VP9 and AV1
  # in software (libav), the Pi's hardware decoders over V4L2 (v4l2h264dec in -good,
  # v4l2slh265dec in -bad). No audio output: video plays silent.
  libgstreamer1.0-0 libgstreamer-plugins-base1.0-0 gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav
  # The clock without a real-time clock: set by NTP, saved every hour and at shutdown, and
  # read back at boot, so that a board never starts in 1970.
  systemd-timesyncd fake-hwclock
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
if [ -z "$version" ]; then
  version="$("$binary" --version 2>&1)" || die "$binary does not run on this computer ($(uname -m)) even with the packages installed: $version
  $not_here"
  say "installing $version from $binary"
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

# --- Read-only system -----------------------------------------------------------------------
# The root file system becomes a read-only lower layer under a layer in memory (overlayroot,
# what Raspberry Pi OS's "overlay file system" uses): whatever is written there is gone at the
# next boot, and a power cut cannot damage the system. The board's cache and config, and the
# saved clock, live on their own ext4 partition, mounted with its data journaled, which the
# overlay leaves alone (recurse=0).
if [ -n "$data_device" ]; then
  [ -b "$data_device" ] || die "$data_device is not a partition (a block device such as /dev/mmcblk0p3)"
  fstype=$(blkid -o value -s TYPE "$data_device" 2>/dev/null || true)
  [ "$fstype" = ext4 ] || die "$data_device is not an ext4 partition (found: ${fstype:-nothing}). Make it, erasing it, with:
  sudo mkfs.ext4 -L bangtin-data $data_device"
  uuid=$(blkid -o value -s UUID "$data_device")
  install -d -m 0755 "$data_mount"
  if ! mountpoint -q "$data_mount"; then
    mount -o noatime,data=journal "$data_device" "$data_mount"
  fi
  # What lives on the partition: the cache, the config, and the clocks timesyncd and
  # fake-hwclock save. Copied there once; what is there already is kept.
  for pair in "$store:lib" "$confdir:etc" "/var/lib/systemd/timesync:timesync"; do
    from=${pair%%:*} to=$data_mount/${pair##*:}
    if [ ! -e "$to" ]; then
      mkdir -p "$from"
      cp -a "$from" "$to"
      say "copied $from to $to"
    fi
  done
  fstab_lines="$fstab_tag
UUID=$uuid $data_mount ext4 noatime,data=journal,commit=5,nofail 0 2
$data_mount/lib $store none bind,nofail 0 0
$data_mount/etc $confdir none bind,nofail 0 0
$data_mount/timesync /var/lib/systemd/timesync none bind,nofail 0 0"
  on_real_root sed -i "/^$fstab_tag\$/,+4d" /etc/fstab
  printf '%s\n' "$fstab_lines" | on_real_root tee -a /etc/fstab >/dev/null
  # The same now, without waiting for the reboot.
  for pair in "$store:lib" "$confdir:etc" "/var/lib/systemd/timesync:timesync"; do
    dir=${pair%%:*}
    mountpoint -q "$dir" || mount --bind "$data_mount/${pair##*:}" "$dir" \
      || die "could not mount $data_mount/${pair##*:} on $dir"
  done
  # fake-hwclock keeps its file in /etc: on the partition too.
  hwclock_default=/etc/default/fake-hwclock
  if grep -q '^#\?FILE=' "$hwclock_default" 2>/dev/null; then
    on_real_root sed -i "s|^#\?FILE=.*|FILE=$data_mount/fake-hwclock.data|" "$hwclock_default"
  else
    echo "FILE=$data_mount/fake-hwclock.data" | on_real_root tee -a "$hwclock_default" >/dev/null
  fi
  # The overlay: Raspberry Pi OS's own switch where it exists, then ours on top (keep the data
  # partition out of the overlay).
  if command -v raspi-config >/dev/null; then
    raspi-config nonint enable_overlayfs
  else
    dpkg-query -W -f='${Status}' overlayroot 2>/dev/null | grep -q "install ok installed" \
      || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends overlayroot >/dev/null
  fi
  echo 'overlayroot="tmpfs:recurse=0"' | on_real_root tee "$overlay_conf" >/dev/null
  if ls /boot/initrd.img-* >/dev/null 2>&1; then
    update-initramfs -u >/dev/null
  else
    say "no initramfs in /boot here: the overlay starts once one is built (update-initramfs -u)"
  fi
  touch "$overlay_marker"
  say "read-only system from the next reboot; the board's data on $data_device ($data_mount)"
fi

# --- Logs -----------------------------------------------------------------------------------
# Cap the journal (all services' logs) so that it can never fill the SD card.
journald_conf='# Written by bangtin install.sh: keep the logs small on an SD card.
[Journal]
# Logs kept on the card (/var/log/journal), at most:
SystemMaxUse=64M
# Logs kept in memory (/run/log/journal) when the journal is not kept on the card, at most:
RuntimeMaxUse=32M'
if [ -n "$data_device" ] || { [ -e "$overlay_marker" ] && ((!root_rw)); }; then
  # A read-only system keeps its logs in memory only.
  journald_conf+=$'\n# The system is read-only: logs live in memory (journalctl still shows them).\nStorage=volatile'
fi
write_conf "$journald_dropin" "$journald_conf" "capped the system log ($journald_dropin)" \
  && live systemctl restart systemd-journald

# --- Time -----------------------------------------------------------------------------------
# A Pi has no real-time clock: systemd-timesyncd sets the clock by NTP (and saves it in its
# clock file at each synchronisation), fake-hwclock saves it hourly and at shutdown; both read
# it back at boot. The board trusts its clock once timesyncd has synchronised it (or a signed
# message shows it right), see docs/operations.md.
# The servers: --ntp, else the config's [board] ntp (as `bangtin check` reads it).
if [ -z "$ntp" ]; then
  ntp=$("$prefix/bangtin" check --config "$config" 2>/dev/null | sed -n 's/^time servers (ntp): //p' || true)
fi
if [ -n "$ntp" ]; then
  write_conf "$timesyncd_dropin" "# Written by bangtin install.sh: the province's time servers.
[Time]
NTP=$ntp" "NTP servers: $ntp ($timesyncd_dropin)" && live systemctl restart systemd-timesyncd
fi
systemctl enable --quiet systemd-timesyncd.service

# --- Hardware watchdog ----------------------------------------------------------------------
# systemd feeds the Pi's hardware watchdog (bcm2835_wdt, /dev/watchdog): if the kernel itself
# hangs, the Pi reboots within 15 s (the most its watchdog can wait). bangtin's own watchdog
# (in the service) restarts the board; this one restarts the computer.
write_conf "$watchdog_dropin" "# Written by bangtin install.sh: reboot if the kernel hangs.
[Manager]
RuntimeWatchdogSec=15s
RebootWatchdogSec=2min" "hardware watchdog on ($watchdog_dropin; from the next boot)" || true

# --- The service ----------------------------------------------------------------------------
[ -f "$here/$unit" ] || die "$here/$unit is missing; copy the whole kiosk folder"
# Only one of the two boards: remove the other kind if it was installed before.
if [ -e "$units/$other" ]; then
  say "removing $other (installed before)"
  live systemctl stop "$other" >/dev/null 2>&1 || true
  systemctl disable "$other" >/dev/null 2>&1 || true
  rm -f "$units/$other"
fi
install -m 0644 "$here/$unit" "$units/$unit"
live systemctl daemon-reload

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
