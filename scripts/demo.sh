#!/usr/bin/env bash
# Renders the bundled sample content (examples/) as a board would show it, into demo-out/:
# every item of the sample channel at full HD, the storm alert and the drill, and the same
# slides on a portrait screen and a 192x96 LED panel. Sets up what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bangtin/target}"
cargo build --locked --release --quiet
bangtin="$CARGO_TARGET_DIR/release/bangtin"
out=demo-out
mkdir -p "$out"

channel=examples/xa-xuan-non.channel.json
ids=$(python3 -c 'import json,sys; print(" ".join(i["id"] for i in json.load(open(sys.argv[1]))["items"] if i["type"] != "ticker"))' "$channel" 2>/dev/null \
  || grep -o '"id": *"[^"]*"' "$channel" | sed 's/.*"\([^"]*\)"$/\1/')
for id in $ids; do
  "$bangtin" render --content "$channel" --item "$id" --size 1920x1080 --out "$out/$id.png"
done
for alert in examples/bao-so-3.alert.json examples/dien-tap-chay-no.alert.json; do
  name=$(basename "$alert" .alert.json)
  "$bangtin" render --content "$alert" --size 1920x1080 --out "$out/$name.png"
  "$bangtin" render --content "$alert" --size 1080x1920 --out "$out/$name-portrait.png"
  "$bangtin" render --content "$alert" --size 192x96 --out "$out/$name-led.png"
done
echo
echo "The sample slides are in $out/. Open them with any image viewer."
