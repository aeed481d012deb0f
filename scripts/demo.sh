#!/usr/bin/env bash
# The demo board: an embedded MQTT broker, demo keys and a board config in a temporary folder,
# the sample Vietnamese content (examples/) published signed, the board in a window, a fire
# drill after 20 s and its cancellation. Without a display it runs headless and writes its
# frames to FOLDER/frames/latest.png (the folder is printed). Sets up what it needs first.
# Extra arguments go to `bangtin demo` (see `bangtin demo --help`), e.g. --duration 60.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bangtin/target}"
cargo build --locked --release --quiet
exec "$CARGO_TARGET_DIR/release/bangtin" demo "$@"
