#!/usr/bin/env bash
# Runs each fuzz target of fuzz/ (cargo-fuzz, libFuzzer) for SECONDS (default 600) and writes
# a summary to bench/results/fuzz.md. Crashes found land in fuzz/artifacts/TARGET/; turn each
# into a fixture under tests/fixtures/fuzz/ and a regression test.
#
#   [FUZZ_JOBS=2] bash bench/fuzz.sh [SECONDS] [TARGET...]
#
# Targets: envelope content cap config legacy image source (all by default). Needs the nightly
# toolchain (rustup toolchain install nightly) and cargo-fuzz (cargo install cargo-fuzz); this
# script installs what is missing. Seeds come from the repository's own examples and fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-600}
# FUZZ_JOBS targets at a time (default 1; each fuzzer uses one core).
jobs=${FUZZ_JOBS:-1}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(envelope content cap config legacy image source)
fi
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$HOME/.cache/bangtin/fuzz-target}

# Seed corpora from what the project already has: nothing is copied into the repository.
seed() {
    local target=$1
    shift
    local dir=$root/fuzz/corpus/$target
    mkdir -p "$dir"
    for f in "$@"; do
        [ -f "$f" ] && cp -n "$f" "$dir/" 2>/dev/null || true
    done
}
seed envelope examples/*.json examples/bad/*.json
seed content examples/*.json examples/bad/*.json
seed cap tests/fixtures/cap/*.xml
seed config tests/fixtures/config/*.toml kiosk/board.example.toml
seed legacy fuzz/seeds/legacy-*.txt
seed image examples/images/*.png examples/images/*.jpg
seed source fuzz/seeds/source-* docs/publishing.md

cd fuzz
# Without AddressSanitizer (-s none): the code is safe Rust; what is hunted is panics,
# overflows (debug assertions are on), hangs and runaway memory, at full speed.
[ "${FUZZ_SUMMARY_ONLY:-0}" = 1 ] || cargo +nightly fuzz build -s none
out=$root/bench/results/fuzz.md
{
    echo "# Fuzzing"
    echo
    echo "\`FUZZ_JOBS=$jobs bash bench/fuzz.sh $seconds\` on $(date -u +%Y-%m-%d), $(nproc) cores, libFuzzer via cargo-fuzz, no sanitizer, debug assertions on."
    echo
    echo "| target | seconds | executions | exec/s | corpus | crashes |"
    echo "|---|---|---|---|---|---|"
} > "$out.tmp"
run() {
    local t=$1
    mkdir -p "artifacts/$t"
    echo "fuzzing $t for $seconds s"
    cargo +nightly fuzz run -s none "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=262144 \
        -print_final_stats=1 > "$root/fuzz/$t.log" 2>&1
    echo $? > "$root/fuzz/$t.rc"
}
# FUZZ_SUMMARY_ONLY=1: only the table, from the logs of the last runs.
if [ "${FUZZ_SUMMARY_ONLY:-0}" != 1 ]; then
    for t in "${targets[@]}"; do
        while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
        run "$t" &
    done
    wait
fi
status=0
for t in "${targets[@]}"; do
    log=$root/fuzz/$t.log
    rc=$(cat "$root/fuzz/$t.rc" 2>/dev/null || echo 1)
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    corpus=$(ls "corpus/$t" | wc -l)
    crashes=$(ls "artifacts/$t" 2>/dev/null | wc -l)
    echo "| $t | $seconds | ${execs:-?} | ${rate:-?} | $corpus | $crashes |" >> "$out.tmp"
    if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
        echo "  $t: exit $rc, $crashes crash input(s) in fuzz/artifacts/$t (log: fuzz/$t.log)"
        status=1
    fi
done
mv "$out.tmp" "$out"
cat "$out"
exit $status
