#!/usr/bin/env python3
"""ab.py — two ndr-triage builds on the corpus, their runs interleaved, best CPU time of each.

usage: bench/corpus.d/ab.py BEFORE AFTER [--corpus DIR] [--rounds N] [--passes P]

For a before/after comparison on a shared machine: bench/corpus times each build in its own stretch
of minutes, so a neighbour's load that comes and goes lands on one build and not the other. Here
every round runs each build once per configuration (rules on and --no-rules; one pass, P passes,
an empty message), alternating, pinned to core 0 (taskset -c 0), and the best CPU time (user+sys)
of each configuration over the rounds counts. Prints, per build, the steady-state rate (as
bench/corpus: (P-1)*files / (t_P - t_1)), the one-shot rate, start-up, rule load and attribution
cost. The corpus is read, never copied; the output of the runs is discarded."""
import argparse
import os
import resource
import subprocess
import tempfile


def cpu_time(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.call(["taskset", "-c", "0"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="interleaved before/after CPU times of two ndr-triage builds")
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--corpus", default=os.path.join(here, "..", "..", "..", "shared", "corpus"))
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument("--passes", type=int, default=10)
    args = ap.parse_args()
    if args.rounds < 1 or args.passes < 2:
        ap.error("--rounds must be >= 1 and --passes >= 2")
    emails_dir = os.path.join(args.corpus, "emails")
    emails = sorted(os.path.join(emails_dir, f) for f in os.listdir(emails_dir))
    emails = [f for f in emails if os.path.isfile(f)]
    builds = {"before": args.before, "after": args.after}
    best = {}
    with tempfile.NamedTemporaryFile(suffix=".eml") as empty:
        inputs = {"1": emails, "P": emails * args.passes, "empty": [empty.name]}
        for _ in range(args.rounds):
            for mode in ("rules", "norules"):
                flags = [] if mode == "rules" else ["--no-rules"]
                for name, binary in builds.items():
                    for what, files in inputs.items():
                        key = (name, mode, what)
                        t = cpu_time([binary, "classify", "--json"] + flags + files)
                        best[key] = min(best.get(key, float("inf")), t)
    n = len(emails)
    print(f"ab.py: {n} emails, {args.passes} passes, best of {args.rounds} interleaved rounds, core 0")
    for name in builds:
        rate = {}
        for mode in ("rules", "norules"):
            t1, tp, ts = best[(name, mode, "1")], best[(name, mode, "P")], best[(name, mode, "empty")]
            rate[mode] = (args.passes - 1) * n / (tp - t1)
            print(f"  {name:6s} {mode:7s}  steady {rate[mode]:7.0f} msgs/cpu-s ({1e6 / rate[mode]:5.1f} us/msg)"
                  f"  one-shot {n / t1:6.0f} msgs/cpu-s ({t1 * 1e3:5.1f} ms)  start-up {ts * 1e3:5.1f} ms")
        load = best[(name, "rules", "empty")] - best[(name, "norules", "empty")]
        print(f"  {name:6s} attribution cost {100 * (1 - rate['rules'] / rate['norules']):.1f}%,"
              f" rule load {load * 1e3:.1f} ms cpu")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
