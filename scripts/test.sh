#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs, then runs every test
# (pure modules, pixel tests on the software GPU, the command line).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
# Builds are shared between clones on the same machine; override to keep them elsewhere.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bangtin/target}"
# Most end-to-end tests wait on a broker, a board process or a timer rather than compute: four
# at once on two cores finish the suite sooner without starving any of them.
export RUST_TEST_THREADS="${RUST_TEST_THREADS:-4}"
cargo test --workspace --locked "$@"
