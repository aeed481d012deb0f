#!/usr/bin/env bash
# Compares, on this machine, in one run:
#   (A) the whole `bangtin render` process drawing one slide to a PNG, and
#   (B) headless Chromium screenshotting the same slide written as HTML (same words, same font:
#       Be Vietnam Pro from fonts/, loaded with @font-face from file:// URLs; bench/slide_html.py
#       writes the page from the same channel file at the announcement template's rectangles and
#       sizes: title band, gold rule, body, the inline image and the QR code).
# For each: N timed runs after one untimed warm-up, the two sides alternately (one run each in
# turn, so that the machine's changing load touches both alike); wall time of the whole process
# (spawn to exit) and peak memory of every process of its tree, measured by bench/peakmem.py in
# two ways:
#   unique pages (cgroup)  a fresh cgroup per run, memory.peak on cgroup v2 or
#                          memory.max_usage_in_bytes on cgroup v1: each page counted once;
#   summed RSS             the sum of the RSS of every process of the tree, sampled from /proc
#                          every ~5 ms, peak over time: shared pages count once per process.
# By default (--mem both) each side runs twice: a cgroup pass (N runs + warm-up), which gives the
# wall time, CPU time and unique-pages peak, then an RSS-sampling pass (N runs + warm-up), which
# gives the summed-RSS peak; its wall times are shown for information only (the sampler polls).
# Without cgroups (not root) only the RSS pass runs. --mem with one method runs one pass with it
# (auto: cgroup v2, else cgroup v1, else RSS). Chromium gets a fresh, empty profile
# (--user-data-dir) per run, made and removed outside the timed span.
# Prints a Markdown table (medians, min-max, Chromium/bangtin ratios next to the targets) and
# writes it to bench/results/render-vs-chromium.md.
#
# Usage: bench/render-vs-chromium.sh [--runs N] [--content FILE] [--item ID] [--size WxH]
#                                    [--mem both|auto|cgroup2|cgroup1|rss] [--keep-images]
# Environment: BANGTIN   the binary (default ${CARGO_TARGET_DIR:-target}/release/bangtin)
#              CHROMIUM  the browser (default /usr/bin/chromium; `apt-get install chromium`)
# Needs: python3 (standard library only), Linux. Run as root to use cgroups; otherwise only the
# RSS sampler is used. --keep-images copies one PNG of each side to bench/results/.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

die() { echo "render-vs-chromium: error: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

runs=5
content="$repo/examples/xa-xuan-non.channel.json"
item=""
size=1920x1080
mem=both
keep_images=0
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) [ $# -ge 2 ] || die "--runs needs a value"; runs=$2; shift 2 ;;
        --runs=*) runs=${1#*=}; shift ;;
        --content) [ $# -ge 2 ] || die "--content needs a value"; content=$2; shift 2 ;;
        --content=*) content=${1#*=}; shift ;;
        --item) [ $# -ge 2 ] || die "--item needs a value"; item=$2; shift 2 ;;
        --item=*) item=${1#*=}; shift ;;
        --size) [ $# -ge 2 ] || die "--size needs a value"; size=$2; shift 2 ;;
        --size=*) size=${1#*=}; shift ;;
        --mem) [ $# -ge 2 ] || die "--mem needs a value"; mem=$2; shift 2 ;;
        --mem=*) mem=${1#*=}; shift ;;
        --keep-images) keep_images=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer, got '$runs'"
[[ $size =~ ^([1-9][0-9]*)x([1-9][0-9]*)$ ]] || die "--size must be WxH, got '$size'"
width=${BASH_REMATCH[1]}
height=${BASH_REMATCH[2]}
case "$mem" in both|auto|cgroup2|cgroup1|rss) ;; *) die "--mem must be both, auto, cgroup2, cgroup1 or rss" ;; esac

# paths given relative to where the script was started from stay so; defaults are in the repo
absolute() { case "$1" in /*) printf '%s\n' "$1" ;; */*) printf '%s\n' "$PWD/$1" ;; *) printf '%s\n' "$1" ;; esac; }
target_dir=${CARGO_TARGET_DIR:-$repo/target}
case "$target_dir" in /*) ;; *) target_dir="$repo/$target_dir" ;; esac
BANGTIN=$(absolute "${BANGTIN:-$target_dir/release/bangtin}")
CHROMIUM=$(absolute "${CHROMIUM:-/usr/bin/chromium}")
case "$content" in /*) ;; *) content="$PWD/$content" ;; esac
cd "$repo"

command -v python3 >/dev/null || die "python3 not found"
bangtin_path=$(command -v -- "$BANGTIN" 2>/dev/null) || true
[ -n "$bangtin_path" ] && [ -f "$bangtin_path" ] && [ -x "$bangtin_path" ] \
    || die "bangtin binary not found or not executable: $BANGTIN (build it with 'cargo build --release', or set BANGTIN)"
chromium_path=$(command -v -- "$CHROMIUM" 2>/dev/null) || true
[ -n "$chromium_path" ] && [ -x "$chromium_path" ] \
    || die "chromium not found: $CHROMIUM (install it with 'apt-get install -y chromium', or set CHROMIUM)"
[ -f "$content" ] || die "content file not found: $content"
[ -d fonts/be-vietnam-pro ] || die "fonts/be-vietnam-pro not found in $repo"

tmp=$(mktemp -d -t render-vs-chromium.XXXXXX)
cg_prefix="render-vs-chromium-$$"
measuring=""  # pid of the peakmem.py running now, if any
cleanup() {
    local rc=$?
    if [ -n "$measuring" ] && kill -0 "$measuring" 2>/dev/null; then
        # it ends the command's process tree and removes its cgroup on TERM
        kill -TERM "$measuring" 2>/dev/null || true
        wait "$measuring" 2>/dev/null || true
    fi
    rm -rf -- "$tmp"
    # peakmem.py removes its cgroups itself; this only catches ones left by a killed run
    # (rmdir removes nothing but empty cgroup directories named after this run).
    find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "$cg_prefix-*" -exec rmdir {} + 2>/dev/null || true
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the same slide as HTML ------------------------------------------------------------------
html_args=("$content" "$tmp/slide.html" --size "$size" --repo "$repo")
[ -n "$item" ] && html_args+=(--item "$item")
python3 "$here/slide_html.py" "${html_args[@]}" || die "could not write the HTML slide from $content"

# --- the two commands ------------------------------------------------------------------------
commands() { # pass: sets bangtin_cmd and chromium_cmd; each pass writes its own PNGs
    local pass=$1
    bangtin_cmd=("$bangtin_path" render --content "$content" --size "$size" --out "$tmp/bangtin-$pass-{run}.png")
    [ -n "$item" ] && bangtin_cmd+=(--item "$item")
    chromium_cmd=("$chromium_path" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
        --disable-background-networking --disable-component-update --disable-sync
        "--user-data-dir={tmpdir}" --hide-scrollbars "--window-size=$width,$height"
        "--screenshot=$tmp/chromium-$pass-{run}.png" "file://$tmp/slide.html")
    return 0
}

measure() { # label pass method warmup out cmd...  -> out (one peakmem.py run, JSON)
    local label=$1 pass=$2 method=$3 warmup=$4 out=$5
    shift 5
    local status=0
    # in the background, so that a signal to this script is handled at once (see cleanup)
    python3 "$here/peakmem.py" --runs 1 --warmup "$warmup" --mem "$method" --label "$label" \
        --cgroup-prefix "$cg_prefix-$label-$pass" --log "$tmp/$label.$pass.log" -- "$@" >"$out" &
    measuring=$!
    wait "$measuring" || status=$?
    measuring=""
    if [ "$status" != 0 ]; then
        echo "--- last lines of $label's output ($pass pass):" >&2
        tail -n 20 "$tmp/$label.$pass.log" >&2 2>/dev/null || true
        die "$label failed: $*"
    fi
}

# Runs the two sides alternately, one run each in turn (after one warm-up of each), so that a
# change in the machine's load touches both alike: $tmp/bangtin.pass.json, $tmp/chromium.pass.json.
measure_pairs() { # pass method
    local pass=$1 method=$2 i warm
    for i in $(seq 1 "$runs"); do
        warm=0
        [ "$i" = 1 ] && warm=1
        # {run} in a command is this pair's number (each peakmem.py call makes one run)
        measure bangtin "$pass" "$method" "$warm" "$tmp/bangtin.$pass.$i.json" "${bangtin_cmd[@]//\{run\}/$i}"
        measure chromium "$pass" "$method" "$warm" "$tmp/chromium.$pass.$i.json" "${chromium_cmd[@]//\{run\}/$i}"
    done
    for side in bangtin chromium; do
        python3 - "$tmp/$side.$pass.json" "$tmp/$side.$pass".*.json <<'MERGE'
import json, sys
out, parts = sys.argv[1], sorted(sys.argv[2:], key=lambda p: int(p.rsplit(".", 2)[-2]))
merged = None
for p in parts:
    d = json.load(open(p))
    if merged is None:
        merged = d
    else:
        merged["runs"] += d["runs"]
        merged["warmup"] += d["warmup"]
for n, r in enumerate(merged["runs"], 1):
    r["run"] = n
json.dump(merged, open(out, "w"))
MERGE
    done
}

method_of() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["method"])' "$1"; }

echo "render-vs-chromium: $runs runs each after a warm-up, $size, content $content${item:+, item $item}" >&2
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# the main pass gives the wall time, the CPU time and (unless it is the RSS method) the cgroup peak
main_method=$mem
[ "$mem" = both ] && main_method=auto
[ "$mem" = both ] && echo "render-vs-chromium: pass 1 of 2: wall time and unique-pages peak (cgroup)" >&2
commands main
measure_pairs main "$main_method"
passes=main
if [ "$mem" = both ]; then
    # (without cgroups, auto fell back to RSS sampling: that pass was the RSS pass; the report says so)
    if [ "$(method_of "$tmp/bangtin.main.json")" != rss ]; then
        # a separate pass, so that the sampler's polling does not touch the wall times above
        echo "render-vs-chromium: pass 2 of 2: peak summed RSS (sampling /proc)" >&2
        commands rss
        measure_pairs rss rss
        passes="main rss"
    fi
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
# Where bangtin's time goes: one more run, not timed, with the phases it logs at debug level.
RUST_LOG=bangtin=debug,bangtin_render=debug "${bangtin_cmd[@]//\{run\}/phases}" 2>&1 >/dev/null \
    | sed -n 's/^.*DEBUG [a-z_:]*\] //p' >"$tmp/phases.txt" || true

# --- describe the machine and the programs ---------------------------------------------------
chromium_version=$("$chromium_path" --version 2>/dev/null | head -n1) || chromium_version="unknown"
bangtin_version=$(timeout 5 "$bangtin_path" --version 2>/dev/null </dev/null | head -n1) || true
bangtin_sum=$(sha256sum "$bangtin_path" | cut -c1-12)
if commit=$(git rev-parse --short HEAD 2>/dev/null); then
    git diff --quiet HEAD -- src shaders fonts Cargo.toml Cargo.lock 2>/dev/null \
        || commit="$commit (with uncommitted changes to the sources)"
else
    commit=unknown
fi
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
mem_total=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)

mkdir -p "$here/results"
if [ "$keep_images" = 1 ]; then
    cp "$tmp/bangtin-main-1.png" "$here/results/render-vs-chromium.bangtin.png"
    cp "$tmp/chromium-main-1.png" "$here/results/render-vs-chromium.chromium.png"
fi

export RVC_TMP=$tmp RVC_PASSES="$passes" RVC_MEM=$mem RVC_RUNS=$runs RVC_SIZE=$size RVC_CONTENT=${content#"$repo"/} RVC_ITEM=$item \
    RVC_CHROMIUM_VERSION=$chromium_version RVC_BANGTIN="${BANGTIN#"$repo"/}" RVC_BANGTIN_VERSION=$bangtin_version \
    RVC_BANGTIN_SUM=$bangtin_sum RVC_COMMIT=$commit RVC_CPU="$cpu ($(nproc) CPUs, $mem_total RAM)" \
    RVC_KERNEL="$(uname -sr)" RVC_LOAD="$load_before -> $load_after" RVC_WIDTH=$width RVC_HEIGHT=$height
python3 - "$here/results/render-vs-chromium.md" <<'PY'
import hashlib, json, os, statistics, struct, sys, time

env = os.environ
tmp, runs = env["RVC_TMP"], int(env["RVC_RUNS"])
w, h = int(env["RVC_WIDTH"]), int(env["RVC_HEIGHT"])
sides = ("bangtin", "chromium")
passes = env["RVC_PASSES"].split()  # "main", then "rss" when both measures were asked for
data = {p: {k: json.load(open(f"{tmp}/{k}.{p}.json")) for k in sides} for p in passes}
main = data["main"]
method = main["bangtin"]["method"]
two = "rss" in data  # both memory measures, from two passes
pass_name = {"main": "cgroup pass" if method != "rss" else "RSS pass", "rss": "RSS pass"}
warnings = []  # printed on stderr too
notes = []
if env["RVC_MEM"] == "both" and not two:
    warnings.append("no cgroup memory accounting here (run as root for it): only the summed RSS is "
                    "measured, and the wall times include the sampler's polling")

# Every run must have left a PNG of the right size; say so if the runs drew different pictures.
for k in sides:
    digests = set()
    for p in passes:
        for n in range(1, runs + 1):
            f = f"{tmp}/{k}-{p}-{n}.png"
            try:
                head = open(f, "rb").read(24)
            except OSError:
                sys.exit(f"render-vs-chromium: error: {k} run {n} ({pass_name[p]}) wrote no {f}")
            if head[:8] != b"\x89PNG\r\n\x1a\n" or struct.unpack(">II", head[16:24]) != (w, h):
                sys.exit(f"render-vs-chromium: error: {k} run {n} ({pass_name[p]}) did not write a {w}x{h} PNG")
            digests.add(hashlib.sha256(open(f, "rb").read()).hexdigest())
    if len(digests) > 1:
        warnings.append(f"{k}'s {runs * len(passes)} runs wrote {len(digests)} different images")
    for p in passes:
        late = [r for r in data[p][k]["runs"] if r.get("leftover")]
        if not late:
            continue
        killed = sum(r.get("killed", 0) for r in late)
        extra = [r["tree_wall_s"] - r["wall_s"] for r in late if r.get("tree_wall_s") is not None]
        serious = killed or not extra or max(extra) > 0.1
        (warnings if serious else notes).append(
            f"{k}" + (f" ({pass_name[p]})" if two else "") + f": in {len(late)} of {runs} runs, up to "
            f"{max(r['leftover'] for r in late)} process(es) outlived the main one"
            + (f", by at most {max(extra) * 1000:.0f} ms" if extra else "")
            + (f"; {killed} had to be killed" if killed else "")
            + (". Their memory is counted in the peak; their time is not in the wall time" if data[p][k]["method"] != "rss"
               else ". Their memory is counted in the peak until the main one exits (sampling stops then); "
               "their time is not in the wall time"))

def stats(p, key, scale):
    out = {}
    for k, d in data[p].items():
        xs = [r[key] * scale for r in d["runs"]]
        out[k] = (statistics.median(xs), min(xs), max(xs))
    return out

def cell(s, unit, fmt):
    med, lo, hi = s
    return f"{med:{fmt}} {unit} ({lo:{fmt}}–{hi:{fmt}})"

def ratio(s):
    b, c_ = s["bangtin"][0], s["chromium"][0]
    return c_ / b if b > 0 else float("inf")

yes = lambda ok: "**met**" if ok else "**not met**"
MiB = 1.0 / 2**20
mem_name = {
    "cgroup2": "peak memory, unique pages (cgroup v2 `memory.peak`)",
    "cgroup1": "peak memory, unique pages (cgroup v1 `memory.max_usage_in_bytes`)",
    "rss": "peak summed RSS of all processes (/proc sampled every ~5 ms)",
}
t, c = stats("main", "wall_s", 1000.0), stats("main", "cpu_s", 1000.0)
rt, rc = ratio(t), ratio(c)
mem_rows = [("main", method)] + ([("rss", "rss")] if two else [])
rm = {}
rows = []
wall_label = "wall time" + (" (cgroup pass)" if two else " (includes the sampler's polling)" if method == "rss" else "")
rows.append(f"| {wall_label} | {cell(t['bangtin'], 'ms', '.0f')} | {cell(t['chromium'], 'ms', '.0f')} "
            f"| **{rt:.1f}x** | ≥ 10x faster: {yes(rt >= 10)} |")
for p, mth in mem_rows:
    m = stats(p, "peak_bytes", MiB)
    rm[mth] = ratio(m)
    rows.append(f"| {mem_name[mth]} | {cell(m['bangtin'], 'MiB', '.1f')} | {cell(m['chromium'], 'MiB', '.1f')} "
                f"| **{rm[mth]:.1f}x** | ≥ 8x less: {yes(rm[mth] >= 8)} |")
rows.append(f"| CPU time, user+sys (wait4{', cgroup pass' if two else ''}; not a target) "
            f"| {cell(c['bangtin'], 'ms', '.0f')} | {cell(c['chromium'], 'ms', '.0f')} | {rc:.1f}x | – |")
if two:
    t2 = stats("rss", "wall_s", 1000.0)
    rows.append(f"| wall time, RSS pass (sampler polling; information only) | {cell(t2['bangtin'], 'ms', '.0f')} "
                f"| {cell(t2['chromium'], 'ms', '.0f')} | {ratio(t2):.1f}x | – |")

explain = {
    "unique": "*Unique pages (cgroup)* counts each page of memory once, however many of the tree's processes "
              "map it, and leaves out files already cached before the run: the stricter view of what a run "
              "really costs the machine.",
    "rss": "*Summed RSS* adds up the resident memory of every process, as `ps` would, so shared libraries and "
           "shared memory count once per process that maps them; this is the measure the design notes' "
           "≥ 8x target refers to.",
}
if two:
    explanation = [explain["unique"] + " " + explain["rss"] + " "
                   "The two memory rows come from separate passes of runs; the wall time (and its ratio) "
                   "comes from the cgroup pass, which does no sampling."]
elif method == "rss":
    explanation = [explain["rss"]]
else:
    explanation = [explain["unique"] + " The design notes' ≥ 8x target was stated as summed RSS, which "
                   "`--mem both` (the default) measures too."]

title = "Per run (wall ms / peak MiB" + ("; the RSS pass's runs are separate runs):" if two else "):")
lines = [
    "# `bangtin render` vs headless Chromium screenshot",
    "",
    f"One {env['RVC_SIZE']} announcement slide to a PNG, whole process from spawn to exit; "
    f"median of {runs} runs after one warm-up (min–max in brackets)"
    + (", once with each memory measure" if two else "") + ". Generated by `bench/render-vs-chromium.sh`.",
    "",
    "| measure | bangtin | Chromium | Chromium / bangtin | target |",
    "|---|---:|---:|---:|---|",
    *rows,
    "",
    *explanation,
    "",
]
phases = [l.strip() for l in open(f"{tmp}/phases.txt", encoding="utf-8", errors="replace") if l.strip()] \
    if os.path.exists(f"{tmp}/phases.txt") else []
if phases:
    lines += ["Where bangtin's time goes (one more run, its own debug log: \"in\" a duration, \"at\" a time since the command started; "
              "the GPU is opened on a thread of its own while the content is read and laid out):", ""]
    lines += [f"- {l}" for l in phases] + [""]
lines += [title, ""]
if two:
    lines += [f"| run | bangtin, {pass_name['main']} | Chromium, {pass_name['main']} "
              "| bangtin, RSS pass | Chromium, RSS pass |", "|---:|---:|---:|---:|---:|"]
else:
    lines += ["| run | bangtin | Chromium |", "|---:|---:|---:|"]
fmt = lambda r: f"{r['wall_s'] * 1000:.0f} / {r['peak_bytes'] * MiB:.1f}"
for i in range(runs):
    cells = [fmt(data[p][k]["runs"][i]) for p in passes for k in sides]
    lines.append(f"| {i + 1} | " + " | ".join(cells) + " |")

item = env["RVC_ITEM"] or "the first item"
bver = env["RVC_BANGTIN_VERSION"] or "version not reported"
mem_setup = []
for p, mth in mem_rows:
    detail = data[p]["bangtin"]["method_detail"]
    other = data[p]["chromium"]["method_detail"]
    if other != detail:
        detail += f" (Chromium: {other})"
    if mth == "rss":
        extra = ("Shared pages count once per process that maps them, which weighs heavily on multi-process "
                 "Chromium; a peak shorter than the ~5 ms sampling interval can be missed.")
    else:
        extra = ("Each page is counted once however many processes map it; pages already cached before the run "
                 "(binaries, shared libraries, fonts read by the warm-up) are not charged to either side.")
    mem_setup.append(f"- memory{f' ({pass_name[p]})' if two else ''}: {detail}. {extra}")
lines += [
    "",
    "Setup:",
    "",
    f"- date: {time.strftime('%Y-%m-%d %H:%M %Z')}; machine: {env['RVC_CPU']}; {env['RVC_KERNEL']}; "
    f"load average (1/5/15 min) before -> after: {env['RVC_LOAD']}",
    f"- content: `{env['RVC_CONTENT']}`, {item}",
    f"- bangtin: `{env['RVC_BANGTIN']} render --content … --size {env['RVC_SIZE']} --out …` "
    f"({bver}; binary sha256 {env['RVC_BANGTIN_SUM']}…; commit {env['RVC_COMMIT']})",
    f"- Chromium: {env['RVC_CHROMIUM_VERSION']}, `--headless --no-sandbox --disable-gpu --disable-quic "
    "--no-first-run --disable-background-networking --disable-component-update --disable-sync "
    f"--user-data-dir=<fresh per run> --hide-scrollbars --window-size={w},{h} --screenshot=… file://…/slide.html`; "
    "the page is static HTML+CSS (no script) written by `bench/slide_html.py` from the same item at the "
    "template's rectangles and font sizes: title, body, inline image as a data: URL, QR code as inline SVG; "
    "fonts by @font-face from `fonts/` over file:// URLs",
    *mem_setup,
    "- wall time: from just before fork/exec to the main process's exit, measured by `bench/peakmem.py`"
    + ("; in the RSS pass it is rounded up to the sampler's ~5 ms polling, hence information only." if two else "."),
    "- order: " + ", then ".join(f"bangtin and Chromium alternately, one run each in turn ({pass_name[p]})" for p in passes)
    + ", so that the machine's changing load touches both alike; each side's warm-up run is not counted.",
]
for note in notes:
    lines.append(f"- note: {note}")
for wmsg in warnings:
    lines.append(f"- warning: {wmsg}")
text = "\n".join(lines) + "\n"
open(sys.argv[1], "w", encoding="utf-8").write(text)
sys.stdout.write(text)
for wmsg in warnings:
    print(f"render-vs-chromium: warning: {wmsg}", file=sys.stderr)
PY
echo "render-vs-chromium: wrote bench/results/render-vs-chromium.md" >&2
