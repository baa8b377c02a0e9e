#!/usr/bin/env python3
"""timeit.py — runs a command N times and prints its best wall time and best CPU time (user+sys of
the child), in seconds: "WALL CPU EXIT". The last run's stdout goes to OUT. Used by bench/corpus; CPU
time is the fairer figure on a loaded machine, wall time the one a user waits for."""
import os
import resource
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 4:
        print("usage: timeit.py N OUT CMD...", file=sys.stderr)
        return 1
    runs, out, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    best_wall = best_cpu = None
    code = 0
    for _ in range(max(1, runs)):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        with open(out, "wb") as f:
            code = subprocess.call(cmd, stdout=f, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall = wall if best_wall is None else min(best_wall, wall)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    print("%.6f %.6f %d" % (best_wall, best_cpu, code))
    return 0


if __name__ == "__main__":
    sys.exit(main())
