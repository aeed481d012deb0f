#!/usr/bin/env bash
# Runs kiosk/install.sh end to end in a Debian 12 (bookworm) chroot, as on a fresh Pi, and
# checks what it leaves: the program (it starts only once install.sh has installed GStreamer)
# and its video decoders, the user and its groups, permissions, the service enabled, the clock
# (timesyncd, fake-hwclock), the hardware watchdog, the logs, and a read-only root with the
# board's data on their own ext4 partition (a loop device here).
# Then again (it must be safe to run twice), --read-write-root and --uninstall.
#
# Then it boots a second installed system with systemd (systemd-nspawn) and checks the
# headless board under its sandbox: ready with a first frame, fed watchdog, a channel published
# from outside (Mosquitto here) acknowledged after it is stored, a reload.
#
# What needs the Pi itself is checked as written, not run: the overlay at boot (there is no
# kernel or initramfs in the chroot), the hardware watchdog device, cage on KMS/DRM.
#
#   sudo bash kiosk/test-install.sh [BANGTIN_PROGRAM]
#
# BANGTIN_PROGRAM defaults to the debug build in $CARGO_TARGET_DIR (built if missing). Needs
# root, debootstrap (installed if missing) and Debian's mirror; the base system is kept in
# ~/.cache/bangtin so a second run needs the mirror only for packages.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bangtin/target}"
program=${1:-$CARGO_TARGET_DIR/debug/bangtin}
[ "$(id -u)" -eq 0 ] || { echo "test-install: run as root (it makes a chroot)" >&2; exit 1; }
[ -x "$program" ] || cargo build --locked --bin bangtin
. scripts/apt-install.sh
apt_install test-install debootstrap e2fsprogs systemd-container mosquitto

fail() { echo "test-install: FAILED: $*" >&2; exit 1; }
ok() { echo "test-install: ok: $*"; }

root=$(mktemp -d /tmp/bangtin-install-XXXXXX)
booted=$(mktemp -d /tmp/bangtin-boot-XXXXXX)
loop="" broker="" container="" keys=""
cleanup() {
  [ -z "$container" ] || { kill "$container" 2>/dev/null; wait "$container" 2>/dev/null; } || true
  [ -z "$broker" ] || kill "$broker" 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then echo "test-install: kept $root (mounted; loop $loop)"; return; fi
  for m in srv/bangtin-data var/lib/bangtin etc/bangtin var/lib/systemd/timesync dev/pts dev proc sys; do
    umount -l "$root/$m" 2>/dev/null || true
  done
  [ -z "$loop" ] || losetup -d "$loop" 2>/dev/null || true
  for m in dev/pts dev proc sys; do umount -l "$booted/$m" 2>/dev/null || true; done
  rm -rf "$root" "$booted" "$booted.console" "$booted.mosquitto.conf" ${keys:+"$keys"}
}
trap cleanup EXIT

# A minimal bookworm, the way a Pi OS Lite image starts out: systemd, users, mount tools.
base=$HOME/.cache/bangtin/bookworm-minbase.tar
if [ ! -s "$base" ]; then
  mkdir -p "$(dirname "$base")"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,passwd,procps,util-linux,mount \
    bookworm "$root" http://deb.debian.org/debian >/dev/null
  tar -C "$root" -cf "$base.part" . && mv "$base.part" "$base"
else
  tar -C "$root" -xf "$base"
fi
# A system's root folder is open to all (mktemp made it 0700, and the base archive keeps that):
# otherwise the board's user could not even reach its program.
chmod 0755 "$root"
keys=$(mktemp -d)
"$program" keygen --out "$keys/huyen-dong-anh" >/dev/null
public=$(tr -d '\n' <"$keys/huyen-dong-anh.pub")

# prepare DIR SED...: the kiosk folder and the program in DIR, as an installer copies them
# onto the Pi, and a config that passes `bangtin check` (the example with a real key instead
# of the guide's, and the given edits).
prepare() {
  local dir=$1
  shift
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  mkdir -p "$dir/opt/kiosk" "$dir/etc/bangtin"
  cp kiosk/*.service kiosk/install.sh kiosk/board.example.toml "$dir/opt/kiosk/"
  cp "$program" "$dir/opt/kiosk/bangtin"
  sed -e "s|6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=|$public|" "$@" kiosk/board.example.toml \
    >"$dir/etc/bangtin/board.toml"
}
# The province's time servers come from the config.
prepare "$root" -e 's|^# ntp = .*|ntp = ["ntp1.example.vn", "ntp2.example.vn"]|'
grep -q '^ntp = ' "$root/etc/bangtin/board.toml" || fail "the example config has no ntp line to set"
for m in proc sys dev dev/pts; do mount --bind "/$m" "$root/$m"; done
inside() { chroot "$root" "$@"; }
# The data partition, on a loop device.
truncate -s 64M "$root/data.img"
mkfs.ext4 -q -L bangtin-data "$root/data.img"
loop=$(losetup -f --show "$root/data.img")
uuid=$(blkid -o value -s UUID "$loop")

run_install() {
  inside bash /opt/kiosk/install.sh /opt/kiosk/bangtin --headless --offline \
    --read-only-root "$loop" "$@"
}
run_install || fail "install.sh exited with $?"

# The program, the user, the permissions.
inside /usr/local/bin/bangtin --version >/dev/null || fail "the installed program does not run"
# Its video decoders (the program itself only needs the GStreamer libraries to start).
for p in gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav; do
  inside dpkg-query -W -f='${Status}' "$p" | grep -q "install ok installed" || fail "$p (video decoders) is not installed"
done
inside id -nG bangtin | grep -qw video || fail "bangtin is not in the group video: $(inside id -nG bangtin)"
[ "$(inside getent passwd bangtin | cut -d: -f7)" = /usr/sbin/nologin ] || fail "bangtin can log in"
# Owners as the installed system names them (its users, not this machine's).
owner() { inside stat -c "$1" "$2"; }
[ "$(owner '%a %U %G' /etc/bangtin)" = "750 root bangtin" ] || fail "/etc/bangtin: $(owner '%a %U %G' /etc/bangtin)"
[ "$(owner '%a %U %G' /etc/bangtin/board.toml)" = "640 root bangtin" ] || fail "board.toml: $(owner '%a %U %G' /etc/bangtin/board.toml)"
[ "$(owner '%U' /var/lib/bangtin)" = bangtin ] || fail "/var/lib/bangtin is not the board's"
ok "program with GStreamer's decoders, user bangtin (nologin, group video), config 0640 root:bangtin, cache owned by bangtin"

# The service, enabled; the other one absent.
cmp -s kiosk/bangtin-headless.service "$root/etc/systemd/system/bangtin-headless.service" || fail "the unit differs from kiosk/"
[ -L "$root/etc/systemd/system/multi-user.target.wants/bangtin-headless.service" ] || fail "bangtin-headless.service is not enabled"
[ ! -e "$root/etc/systemd/system/bangtin.service" ] || fail "both units installed"
ok "bangtin-headless.service installed and enabled"

# Time, watchdog, logs.
[ -L "$root/etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service" ] || fail "systemd-timesyncd is not enabled"
grep -qx "NTP=ntp1.example.vn ntp2.example.vn" "$root/etc/systemd/timesyncd.conf.d/bangtin.conf" || fail "NTP servers not taken from the config"
inside dpkg-query -W -f='${Status}' fake-hwclock | grep -q "install ok installed" || fail "fake-hwclock is not installed"
grep -qx "FILE=/srv/bangtin-data/fake-hwclock.data" "$root/etc/default/fake-hwclock" || fail "fake-hwclock does not save on the data partition"
grep -qx "RuntimeWatchdogSec=15s" "$root/etc/systemd/system.conf.d/bangtin-watchdog.conf" || fail "hardware watchdog not set"
grep -qx "Storage=volatile" "$root/etc/systemd/journald.conf.d/bangtin.conf" || fail "logs not in memory on a read-only system"
grep -qx "RuntimeMaxUse=32M" "$root/etc/systemd/journald.conf.d/bangtin.conf" || fail "logs in memory not capped"
ok "timesyncd with the config's servers, fake-hwclock on the data partition, watchdog 15 s, logs in memory capped"

# The read-only root and the data partition.
grep -qx 'overlayroot="tmpfs:recurse=0"' "$root/etc/overlayroot.local.conf" || fail "overlay not configured"
inside dpkg-query -W -f='${Status}' overlayroot | grep -q "install ok installed" || fail "overlayroot is not installed"
grep -q "^UUID=$uuid /srv/bangtin-data ext4 noatime,data=journal" "$root/etc/fstab" || fail "data partition not in fstab: $(cat "$root/etc/fstab")"
for bind in "/srv/bangtin-data/lib /var/lib/bangtin" "/srv/bangtin-data/etc /etc/bangtin" \
  "/srv/bangtin-data/timesync /var/lib/systemd/timesync"; do
  grep -q "^$bind none bind" "$root/etc/fstab" || fail "fstab lacks the bind mount $bind"
done
[ -f "$root/srv/bangtin-data/etc/board.toml" ] || fail "the config is not on the data partition"
[ "$(owner '%U' /srv/bangtin-data/lib)" = bangtin ] || fail "the cache on the data partition is not the board's"
ok "read-only root (overlayroot, recurse=0), data partition journaled in fstab with the cache, config and clock on it"

# Safe to run twice: nothing doubled; --ntp overrides the config.
run_install --ntp "10.1.2.3" >/dev/null || fail "a second run of install.sh failed"
[ "$(grep -c "^UUID=$uuid " "$root/etc/fstab")" = 1 ] || fail "a second run doubled the fstab lines"
grep -qx "NTP=10.1.2.3" "$root/etc/systemd/timesyncd.conf.d/bangtin.conf" || fail "--ntp did not override the config"
ok "a second run changes nothing twice; --ntp overrides the config's servers"

# Undo the read-only root; uninstall.
inside bash /opt/kiosk/install.sh --offline --read-write-root >/dev/null || fail "--read-write-root failed"
grep -qx 'overlayroot="disabled"' "$root/etc/overlayroot.local.conf" || fail "--read-write-root left the overlay on"
inside bash /opt/kiosk/install.sh --offline --uninstall >/dev/null || fail "--uninstall failed"
[ ! -e "$root/usr/local/bin/bangtin" ] && [ ! -e "$root/etc/systemd/system/bangtin-headless.service" ] \
  && [ ! -e "$root/etc/systemd/system/multi-user.target.wants/bangtin-headless.service" ] \
  || fail "--uninstall left the program or the service"
[ -f "$root/etc/bangtin/board.toml" ] || fail "--uninstall removed the config"
ok "--read-write-root turns the overlay off; --uninstall removes the program and service, keeps the config"

# --- Booted: the headless board under its sandbox, with systemd ------------------------------
# A broker on this machine; the booted system shares its network.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$port" >"$booted.mosquitto.conf"
mosquitto -c "$booted.mosquitto.conf" >/dev/null 2>&1 &
broker=$!
tar -C "$booted" -xf "$base"
chmod 0755 "$booted"
prepare "$booted" -e "s|^url = .*|url = \"mqtt://127.0.0.1:$port\"|"
for m in proc sys dev dev/pts; do mount --bind "/$m" "$booted/$m"; done
chroot "$booted" bash /opt/kiosk/install.sh /opt/kiosk/bangtin --headless --offline >/dev/null \
  || fail "install.sh for the booted system failed"
for m in dev/pts dev sys proc; do umount -l "$booted/$m"; done
# What runs in the booted system once the board is up: it says so, waits for the channel
# published from outside and for the watchdog to have had to bite, writes what it saw, and
# powers off.
cat >"$booted/usr/local/sbin/bangtin-boot-check" <<'EOS'
#!/bin/bash
out=/root/boot-check.txt
{
for _ in $(seq 120); do [ -s /run/bangtin/frames/latest.png ] && break; sleep 1; done
echo "frame=$(stat -c %s /run/bangtin/frames/latest.png 2>/dev/null || echo none)"
systemctl show bangtin-headless -p ActiveState -p NRestarts
touch /root/ready
for _ in $(seq 120); do [ -e /root/published ] && break; sleep 1; done
sleep 35   # longer than WatchdogSec=30: a board that did not feed it would be restarted
echo "envelopes=$(ls /var/lib/bangtin/envelopes | wc -l)"
systemctl reload bangtin-headless
sleep 2
echo "after:"
systemctl show bangtin-headless -p ActiveState -p SubState -p NRestarts
journalctl -u bangtin-headless --no-pager | tail -20
} >"$out" 2>&1
systemctl poweroff
EOS
chmod +x "$booted/usr/local/sbin/bangtin-boot-check"
printf '[Unit]\nAfter=bangtin-headless.service\n[Service]\nType=oneshot\nExecStart=/usr/local/sbin/bangtin-boot-check\n' \
  >"$booted/etc/systemd/system/bangtin-boot-check.service"
ln -s /etc/systemd/system/bangtin-boot-check.service \
  "$booted/etc/systemd/system/multi-user.target.wants/bangtin-boot-check.service"
timeout 400 systemd-nspawn -D "$booted" --boot --register=no --keep-unit -q </dev/null \
  >"$booted.console" 2>&1 &
container=$!
for _ in $(seq 180); do [ -e "$booted/root/ready" ] && break; sleep 1; done
[ -e "$booted/root/ready" ] || fail "the booted system never got the board up: $(tail -20 "$booted.console")"
said=$("$program" publish examples/xa-xuan-non.channel.json --topic bangtin/v1/content/vn/ha-noi/dong-anh \
  --key "$keys/huyen-dong-anh.key" --broker "mqtt://127.0.0.1:$port" --wait 30 --lang en 2>&1) \
  || fail "publishing to the booted board: $said"
touch "$booted/root/published"
wait "$container" || true
container=""
report=$(cat "$booted/root/boot-check.txt" 2>/dev/null)
echo "$said" | grep -q "1/1 boards received it" || fail "the booted board did not acknowledge the channel: $said"
echo "$report" | grep -q '^frame=[1-9]' || fail "no frame from the sandboxed board: $report"
echo "$report" | grep -q '^envelopes=[1-9]' || fail "the sandboxed board did not store the channel: $report"
after=$(echo "$report" | sed -n '/^after:/,$p')
echo "$after" | grep -qx 'ActiveState=active' && echo "$after" | grep -qx 'NRestarts=0' \
  || fail "the sandboxed board did not keep running (watchdog, reload): $report"
ok "booted with systemd: the sandboxed headless board draws, acknowledges and stores a channel, feeds its watchdog for 35 s and reloads"
echo "test-install: all checks passed"
