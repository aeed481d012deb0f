#!/usr/bin/env python3
"""Runs a command several times and measures, per run, the wall time of the whole process
(spawn to exit) and the peak memory of the whole process tree, summed over all its processes.

Memory, best method first (--mem auto picks the first that works here):
  cgroup2  each run in a fresh cgroup v2 child; reads memory.peak (kernel >= 5.19).
  cgroup1  each run in a fresh cgroup v1 memory child; reads memory.max_usage_in_bytes.
  rss      samples the summed RSS of the process tree from /proc every ~5 ms.
Both cgroup methods count every page charged to the run's processes (anonymous memory,
page tables, kernel memory, tmpfs/shm, and page cache the run brings in), each page once
however many processes map it. Pages already cached before the run (the binary, shared
libraries, fonts loaded by an earlier run) are not charged to it. The RSS sum counts shared
pages once per process that maps them, so it overstates multi-process programs.

The python process makes itself a child subreaper, so daemonised grandchildren still belong
to the tree; whatever is left when the command exits is waited for (up to --linger seconds)
and then killed, by pid, and reported.

Placeholders in the command's arguments: {tmpdir} becomes a fresh, empty directory for each
run (made and removed outside the timed span), {run} the run's number (0 = warm-up).

Prints one JSON object on stdout:
  {"label", "method", "method_detail", "argv", "runs": [{"wall_s", "peak_bytes", "cpu_s",
   "leftover", "tree_wall_s", "killed", "rc"}...], "warmup": [...]}
wall_s ends when the command's own process exits; tree_wall_s when the last process of its
tree is gone (null if some had to be killed).
Standard library only. Linux only.

Usage: peakmem.py [--runs N] [--warmup K] [--mem auto|cgroup2|cgroup1|rss] [--label L]
                  [--cgroup-prefix P] [--linger S] [--log FILE] [--quiet] -- COMMAND [ARGS...]
"""

import argparse
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PAGE = os.sysconf("SC_PAGE_SIZE")
PR_SET_CHILD_SUBREAPER = 36


def log(msg):
    print(f"peakmem: {msg}", file=sys.stderr, flush=True)


def mounts():
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fields, rfields = left.split(), right.split()
            out.append((fields[4], rfields[0], rfields[-1]))  # mount point, fstype, super options
    return out


def own_cgroups():
    """{'': v2 path, 'memory': v1 memory path} from /proc/self/cgroup."""
    own = {}
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for c in controllers.split(","):
                own[c] = path
    return own


class Cgroup:
    """A directory per run under a parent where memory accounting works."""

    def __init__(self, kind, parent, prefix):
        self.kind, self.parent, self.prefix = kind, parent, prefix
        self.peak_file = "memory.peak" if kind == "cgroup2" else "memory.max_usage_in_bytes"
        self.n = 0

    def make(self):
        self.n += 1
        path = os.path.join(self.parent, f"{self.prefix}-{self.n}")
        os.mkdir(path)
        return path

    def peak(self, path):
        with open(os.path.join(path, self.peak_file)) as f:
            return int(f.read().split()[0])

    @staticmethod
    def procs(path):
        try:
            with open(os.path.join(path, "cgroup.procs")) as f:
                return [int(x) for x in f.read().split()]
        except OSError:
            return []

    @staticmethod
    def remove(path):
        for _ in range(100):
            try:
                os.rmdir(path)
                return True
            except FileNotFoundError:
                return True
            except OSError:
                time.sleep(0.02)
        log(f"could not remove cgroup {path}")
        return False

    @staticmethod
    def probe(kind, prefix):
        """A working Cgroup of this kind, or (None, reason)."""
        own = own_cgroups()
        ms = mounts()
        if kind == "cgroup2":
            roots = [m for m, fs, _ in ms if fs == "cgroup2"]
            rel = own.get("")
        else:
            roots = [m for m, fs, opts in ms if fs == "cgroup" and "memory" in opts.split(",")]
            rel = own.get("memory")
        if not roots:
            return None, f"no {kind} mount with memory accounting"
        root = roots[0]
        candidates = []
        if rel is not None:
            candidates.append(os.path.normpath(os.path.join(root, rel.lstrip("/"))))
        candidates.append(root)
        reasons = []
        for parent in dict.fromkeys(candidates):
            cg = Cgroup(kind, parent, prefix + "-probe")
            try:
                path = cg.make()
            except OSError as e:
                reasons.append(f"{parent}: {e.strerror}")
                continue
            try:
                # (no controller is switched on anywhere: a parent whose children lack the memory
                # controller is skipped, and the next candidate, or the next method, is tried)
                if os.path.exists(os.path.join(path, cg.peak_file)):
                    cg.peak(path)
                    return Cgroup(kind, parent, prefix), None
                reasons.append(f"{parent}: no {cg.peak_file}")
            finally:
                Cgroup.remove(path)
        return None, "; ".join(reasons)


def children_of(pid):
    """Direct children, from /proc/PID/task/*/children."""
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    kids += [int(x) for x in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return kids


def children_by_scan(pid):
    kids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                kids.append(int(name))
        except (OSError, ValueError, IndexError):
            pass
    return kids


HAVE_CHILDREN_FILE = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def tree(root):
    """All descendants of root (root excluded)."""
    find = children_of if HAVE_CHILDREN_FILE else children_by_scan
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        for k in find(p):
            out.append(k)
            todo.append(k)
    return out


def rss(pid):
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def reap_all():
    """Reaps any exited children (orphans re-parented to us as subreaper)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def settle(pids_fn, linger):
    """Waits up to linger seconds for leftover processes, then kills them. Returns (how many
    were left when the command exited, how many had to be killed, perf_counter() when the
    last one was seen gone, or None if some had to be killed)."""
    deadline = time.monotonic() + linger
    left = pids_fn()
    first = len(left)
    while left and time.monotonic() < deadline:
        reap_all()
        time.sleep(0.002)
        left = pids_fn()
    gone = None if left else time.perf_counter()
    killed = 0
    for p in left:
        try:
            os.kill(p, signal.SIGKILL)
            killed += 1
        except ProcessLookupError:
            pass
    for _ in range(200):
        reap_all()
        if not pids_fn():
            break
        time.sleep(0.01)
    return first, killed, gone


def run_once(argv, method, cg, linger, log_file, interval=0.005):
    tmpdir = tempfile.mkdtemp(prefix="peakmem-")
    path = cg.make() if cg else None
    procs_file = os.path.join(path, "cgroup.procs") if path else None

    def enter():
        if procs_file:
            with open(procs_file, "w") as f:
                f.write(str(os.getpid()))

    try:
        args = [a.replace("{tmpdir}", tmpdir) for a in argv]
        peak = 0
        me = os.getpid()
        t0 = time.perf_counter()
        child = subprocess.Popen(
            args, preexec_fn=enter, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file
        )
        try:
            if method == "rss":
                while True:
                    pid, status, ru = os.wait4(child.pid, os.WNOHANG)
                    if pid:
                        break
                    # every descendant of ours: the command's tree plus orphans re-parented to us
                    peak = max(peak, sum(rss(p) for p in tree(me)))
                    time.sleep(interval)
            else:
                _, status, ru = os.wait4(child.pid, 0)
        except BaseException:
            # interrupted: end the command's tree (all of it was started by us), then go on out
            settle(lambda: tree(me) if method == "rss" else Cgroup.procs(path), 0)
            raise
        wall = time.perf_counter() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
        if method == "rss":
            leftover, killed, gone = settle(lambda: tree(me), linger)
        else:
            leftover, killed, gone = settle(lambda: Cgroup.procs(path), linger)
            peak = cg.peak(path)
        return {
            "wall_s": wall,
            "peak_bytes": peak,
            "cpu_s": ru.ru_utime + ru.ru_stime,
            "leftover": leftover,
            # until the whole tree was gone (polled every ~2 ms; null if some had to be killed)
            "tree_wall_s": (gone - t0 if gone is not None else None) if leftover else wall,
            "killed": killed,
            "rc": child.returncode,
        }
    finally:
        if path:
            Cgroup.remove(path)
        shutil.rmtree(tmpdir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(
        description="Wall time and peak summed memory of a process tree, per run.",
        usage="%(prog)s [options] -- COMMAND [ARGS...]",
    )
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--mem", choices=["auto", "cgroup2", "cgroup1", "rss"], default="auto")
    ap.add_argument("--label", default="")
    ap.add_argument("--cgroup-prefix", default=f"peakmem-{os.getpid()}")
    ap.add_argument("--linger", type=float, default=2.0, help="seconds to wait for leftover processes")
    ap.add_argument("--log", help="append the command's stdout and stderr to this file (default: our stderr)")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    argv = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not argv:
        ap.error("no command given")
    if a.runs < 1:
        ap.error("--runs must be at least 1")

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        log("warning: could not become a child subreaper; orphaned processes escape the tree")

    cg, detail = None, ""
    kinds = ["cgroup2", "cgroup1"] if a.mem == "auto" else [a.mem] if a.mem != "rss" else []
    reasons = []
    for kind in kinds:
        cg, why = Cgroup.probe(kind, a.cgroup_prefix)
        if cg:
            method = kind
            detail = f"{kind}: {cg.peak_file} of a fresh cgroup per run under {cg.parent}"
            break
        reasons.append(f"{kind}: {why}")
    if not cg:
        if a.mem not in ("auto", "rss"):
            sys.exit(f"peakmem: {a.mem} unavailable: {'; '.join(reasons)}")
        method = "rss"
        detail = "rss: summed RSS of the process tree sampled from /proc every ~5 ms"
        if reasons:
            detail += " (cgroups unavailable: " + "; ".join(reasons) + ")"

    def on_signal(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    # the command never writes to our stdout, which carries the JSON
    log_file = open(a.log, "ab") if a.log else sys.stderr
    result = {"label": a.label, "method": method, "method_detail": detail, "argv": argv, "warmup": [], "runs": []}
    try:
        for i in range(a.warmup + a.runs):
            warm = i < a.warmup
            n = 0 if warm else i - a.warmup + 1
            r = run_once([x.replace("{run}", str(n)) for x in argv], method, cg, a.linger, log_file)
            (result["warmup"] if warm else result["runs"]).append(r)
            if not a.quiet:
                tag = "warm-up" if warm else f"run {n}/{a.runs}"
                log(
                    f"{a.label} {tag}: {r['wall_s'] * 1000:.0f} ms, peak {r['peak_bytes'] / 2**20:.1f} MiB"
                    f" ({method}), rc {r['rc']}" + (f", {r['leftover']} process(es) outlived it" if r["leftover"] else "")
                    + (f", {r['killed']} killed after {a.linger:g} s" if r["killed"] else "")
                )
            if r["rc"] != 0:
                log(f"{a.label}: command failed with exit status {r['rc']}: {' '.join(argv)}")
                print(json.dumps(result))
                return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
