#!/usr/bin/env python3
"""compare.py — scores ndr-triage and Sisimai records against a corpus's labels.tsv (bench/corpus).

Inputs are JSON Lines written by `ndr-triage classify --json` and by sisimai_dump.pl. Records are
matched to labels by file name + lower-cased recipient (in record order where a file names the same
recipient twice), then, within a file, the labels and records left over in order (see match()). A label status of the form 4.0.9xx / 5.0.9xx is Sisimai's own pseudo code for "the
bounce carried no status": an empty status agrees with it (the strict figure is printed too).
"""
import argparse
import collections
import json
import os
import re
import sys

PSEUDO = re.compile(r"^[45]\.0\.9\d\d$")
NOT_FAILURE = {"delivered", "feedback", "vacation"}


def load_labels(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            v = line.rstrip("\n").split("\t")
            if len(v) < len(header):
                v += [""] * (len(header) - len(v))
            r = dict(zip(header, v))
            r["recipient"] = r["recipient"].lower()
            rows.append(r)
    return rows


def load_jsonl(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                out.append({"_bad": line[:200]})
    return out


def norm_code(v):
    if v is None:
        return ""
    return str(v).strip()


def index_records(records):
    by_key = collections.defaultdict(list)
    for r in records:
        rcpt = r.get("recipient")
        if not rcpt:
            continue
        by_key[(os.path.basename(str(r.get("source", ""))), str(rcpt).lower())].append(r)
    return by_key


def match(labels, records):
    """Pairs each label with a record: first by file + lower-cased recipient (in record order where a
    file names the same recipient twice); then, per file, the labels left over with the records left
    over, in order (label record_no, record emission order), when both sides have the same number left.
    The corpus README makes record_no the order in which Sisimai emits the records and the recipient the
    key "where the order differs"; the second step pairs the records whose label address is Sisimai's
    placeholder or a truncated or mistyped copy of the address the message names (LABEL-NOTES.md).
    Returns (pairs, extra, by_order): by_order counts the labels matched by the second step."""
    by_key = index_records(records)
    used = collections.Counter()
    pairs = []
    for lab in labels:
        key = (lab["file"], lab["recipient"])
        cands = by_key.get(key, [])
        i = used[key]
        if i < len(cands):
            pairs.append((lab, cands[i]))
            used[key] += 1
        else:
            pairs.append((lab, None))
    taken = set()
    for key, cands in by_key.items():
        for r in cands[: used[key]]:
            taken.add(id(r))
    left_records = collections.defaultdict(list)
    for r in records:
        if id(r) not in taken and "_bad" not in r:
            left_records[os.path.basename(str(r.get("source", "")))].append(r)
    left_labels = collections.defaultdict(list)
    for i, (lab, rec) in enumerate(pairs):
        if rec is None:
            left_labels[lab["file"]].append(i)
    by_order = 0
    for f, idx in left_labels.items():
        recs = left_records.get(f, [])
        if len(recs) != len(idx):
            continue
        idx.sort(key=lambda i: int(pairs[i][0].get("record_no") or 0))
        for i, r in zip(idx, recs):
            pairs[i] = (pairs[i][0], r)
            taken.add(id(r))
            by_order += 1
    extra = [r for r in records if r.get("recipient") and id(r) not in taken]
    return pairs, extra, by_order


def score(pairs):
    s = {"n": len(pairs), "matched": 0, "reason": 0, "status": 0, "status_strict": 0, "reply": 0,
         "hard": 0, "per": collections.defaultdict(lambda: [0, 0])}
    for lab, rec in pairs:
        s["per"][lab["reason"]][0] += 1
        if rec is None:
            continue
        s["matched"] += 1
        if rec.get("reason") == lab["reason"]:
            s["reason"] += 1
            s["per"][lab["reason"]][1] += 1
        st = norm_code(rec.get("status"))
        if st == lab["status"]:
            s["status_strict"] += 1
        if st == lab["status"] or (st == "" and PSEUDO.match(lab["status"])):
            s["status"] += 1
        if norm_code(rec.get("reply_code")) == lab["replycode"]:
            s["reply"] += 1
        if bool(rec.get("hard")) == (lab["hardbounce"] == "1"):
            s["hard"] += 1
    return s


def pct(a, b):
    return "%6.1f%%" % (100.0 * a / b) if b else "    n/a"


def failures(records, ours):
    bad = []
    for r in records:
        if "_bad" in r:
            bad.append(r)
            continue
        if ours:
            if r.get("kind") in ("failed", "delayed") or (r.get("recipient") and r.get("reason") not in NOT_FAILURE):
                bad.append(r)
        elif r.get("reason") not in NOT_FAILURE:
            bad.append(r)
    return bad


TOOLS = (("ours", "ndr-triage (rules on)"), ("ours_norules", "ndr-triage --no-rules"), ("sisimai", "sisimai 4.25"))
TARGET_RATIO = 50.0        # issue 2: at least 50x Sisimai's messages per second on one core
TARGET_ATTRIBUTION = 20.0  # issue 3: rules on within 20% of rules off


def print_steady_state(args, one_shot):
    """Marginal rate of passes 2..N (start-up and first-use warm-up cancel out), start-up on one empty
    message, and the targets, judged on the steady-state CPU figure."""
    extra = (args.passes - 1) * args.files
    print("== throughput, steady state (%d passes over the %d files in one process, core 0, best of the runs;"
          % (args.passes, args.files))
    print("   msgs/s = %d * %d / (time of %d passes - time of 1 pass))" % (args.passes - 1, args.files, args.passes))
    print("  %-24s %9s %11s %9s %11s" % ("", "wall s", "msgs/s", "cpu s", "msgs/cpu-s"))
    steady = {}
    for key, name in TOOLS:
        wall_n, cpu_n = getattr(args, "time_%s_passes" % key), getattr(args, "cpu_%s_passes" % key)
        one = "time_ours" if key == "ours" else "time_%s" % key
        wall_1, cpu_1 = getattr(args, one), getattr(args, one.replace("time_", "cpu_"))
        rw = extra / (wall_n - wall_1) if wall_n > wall_1 else 0.0
        rc = extra / (cpu_n - cpu_1) if cpu_n > cpu_1 else 0.0
        steady[key] = (rw, rc)
        print("  %-24s %9.3f %11.0f %9.3f %11.0f" % (name, wall_n, rw, cpu_n, rc))
    for i, what in ((0, "wall"), (1, "cpu")):
        if not all(steady[k][i] for k, _ in TOOLS):
            print("  %s: a tool's %d passes took no longer than its 1 pass (noise); run again or raise --passes"
                  % (what, args.passes))
            continue
        print("  ratio ndr-triage/sisimai (%s): rules on %.1fx, --no-rules %.1fx" % (
            what, steady["ours"][i] / steady["sisimai"][i], steady["ours_norules"][i] / steady["sisimai"][i]))
        print("  attribution cost (%s): %.1f%% fewer msgs/s with rules on" % (
            what, 100.0 * (steady["ours_norules"][i] - steady["ours"][i]) / steady["ours_norules"][i]))
    # Sisimai without its JSON output (JSON::PP, stock Debian's backend): the ratio's sensitivity to the
    # peer's output cost. Informative; the target below is judged with the output, as ours has its own.
    if args.cpu_sisimai_noout_passes > args.cpu_sisimai_noout > 0:
        rc = extra / (args.cpu_sisimai_noout_passes - args.cpu_sisimai_noout)
        share = 100.0 * (1 - steady["sisimai"][1] / rc) if steady["sisimai"][1] else 0.0
        print("  sisimai 4.25 without its JSON output: %.0f msgs/cpu-s (the output is %.0f%% of its time);"
              " ratio against it, rules on: %.1fx" % (rc, share, steady["ours"][1] / rc))

    print("== start-up (one empty message, best of the runs): wall ms, cpu ms")
    for key, name in TOOLS:
        print("  %-24s %9.1f %9.1f" % (name, 1000 * getattr(args, "time_%s_startup" % key),
                                       1000 * getattr(args, "cpu_%s_startup" % key)))
    print("  rule load (rules on minus --no-rules): %.1f ms wall, %.1f ms cpu" % (
        1000 * (args.time_ours_startup - args.time_ours_norules_startup),
        1000 * (args.cpu_ours_startup - args.cpu_ours_norules_startup)))

    print("== targets, judged on the steady-state cpu figure (one-shot cpu figure in brackets)")
    if not all(steady[k][1] for k, _ in TOOLS) or not all(one_shot[k][1] for k in ("ours", "norules", "sisimai")):
        print("  not judged: a cpu figure is missing (noise); run again")
        return
    ratio = steady["ours"][1] / steady["sisimai"][1]
    ratio1 = one_shot["ours"][1] / one_shot["sisimai"][1]
    print("  issue 2, >= %.0fx sisimai msgs/s (rules on): %.1fx %s [one-shot %.1fx %s]" % (
        TARGET_RATIO, ratio, "met" if ratio >= TARGET_RATIO else "NOT met",
        ratio1, "met" if ratio1 >= TARGET_RATIO else "NOT met"))
    cost = 100.0 * (1 - steady["ours"][1] / steady["ours_norules"][1])
    cost1 = 100.0 * (1 - one_shot["ours"][1] / one_shot["norules"][1])
    print("  issue 3, attribution costs <= %.0f%% of msgs/s: %.1f%% %s [one-shot %.1f%% %s]" % (
        TARGET_ATTRIBUTION, cost, "met" if cost <= TARGET_ATTRIBUTION else "NOT met",
        cost1, "met" if cost1 <= TARGET_ATTRIBUTION else "NOT met"))


def main():
    ap = argparse.ArgumentParser()
    for a in ("labels", "ours", "ours-norules", "sisimai", "ours-nb", "sisimai-nb"):
        ap.add_argument("--" + a, required=True)
    ap.add_argument("--files", type=int, required=True)
    for a in ("time-ours", "time-ours-norules", "time-sisimai", "cpu-ours", "cpu-ours-norules", "cpu-sisimai"):
        ap.add_argument("--" + a, type=float, required=True)
    # Optional: the steady-state and start-up measurements (bench/corpus --passes N, N > 1).
    ap.add_argument("--passes", type=int, default=1)
    for a in ("ours", "ours-norules", "sisimai"):
        for what in ("time", "cpu"):
            for kind in ("passes", "startup"):
                ap.add_argument("--%s-%s-%s" % (what, a, kind), type=float, default=0.0)
    for a in ("cpu-sisimai-noout", "cpu-sisimai-noout-passes"):
        ap.add_argument("--" + a, type=float, default=0.0)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    labels = load_labels(args.labels)
    ours = load_jsonl(args.ours)
    sis = load_jsonl(args.sisimai)
    ours_pairs, ours_extra, ours_by_order = match(labels, ours)
    sis_pairs, sis_extra, sis_by_order = match(labels, sis)
    so, ss = score(ours_pairs), score(sis_pairs)
    n = len(labels)

    print("== records (%d labelled, %d files)" % (n, args.files))
    print("%-28s %12s %12s" % ("", "ndr-triage", "sisimai4.25"))
    print("%-28s %12s %12s" % ("records emitted", len([r for r in ours if r.get("recipient")]), len(sis)))
    print("%-28s %12s %12s" % ("labels matched", "%d/%d" % (so["matched"], n), "%d/%d" % (ss["matched"], n)))
    print("%-28s %12d %12d" % ("  of them by order only", ours_by_order, sis_by_order))
    print("%-28s %12d %12d" % ("records not in labels", len(ours_extra), len(sis_extra)))
    print("== agreement with labels: share of all %d labels [share of the labels each tool matched]" % n)
    for key, name in (("reason", "reason"), ("status", "status"), ("status_strict", "status (strict)"),
                      ("reply", "reply code"), ("hard", "hard bounce")):
        print("%-20s %10s [%7s] %10s [%7s]" % (name, pct(so[key], n), pct(so[key], so["matched"]).strip(),
                                                pct(ss[key], n), pct(ss[key], ss["matched"]).strip()))
    print("== reason agreement per labelled reason (ours / sisimai / count)")
    for reason in sorted(so["per"], key=lambda r: (-so["per"][r][0], r)):
        cnt, ok = so["per"][reason]
        print("  %-18s %4d/%-4d %4d/%-4d" % (reason, ok, cnt, ss["per"][reason][1], cnt))

    onb = failures(load_jsonl(args.ours_nb), True)
    snb = failures(load_jsonl(args.sisimai_nb), False)
    print("== not-bounces: records reporting a failure: ndr-triage %d, sisimai %d" % (len(onb), len(snb)))
    for r in onb:
        print("   ours: %s %s %s" % (os.path.basename(str(r.get("source", ""))), r.get("recipient"), r.get("reason")))

    print("== throughput (one process over all %d files, core 0, best of the runs)" % args.files)
    print("  %-24s %9s %11s %9s %11s" % ("", "wall s", "msgs/s", "cpu s", "msgs/cpu-s"))
    rate = {}
    for key, name, wall, cpu in (("ours", "ndr-triage (rules on)", args.time_ours, args.cpu_ours),
                                 ("norules", "ndr-triage --no-rules", args.time_ours_norules, args.cpu_ours_norules),
                                 ("sisimai", "sisimai 4.25", args.time_sisimai, args.cpu_sisimai)):
        rw = args.files / wall if wall > 0 else 0.0
        rc = args.files / cpu if cpu > 0 else 0.0
        rate[key] = (rw, rc)
        print("  %-24s %9.3f %11.0f %9.3f %11.0f" % (name, wall, rw, cpu, rc))
    for i, what in ((0, "wall"), (1, "cpu")):
        if rate["sisimai"][i]:
            print("  ratio ndr-triage/sisimai (%s): rules on %.1fx, --no-rules %.1fx" % (
                what, rate["ours"][i] / rate["sisimai"][i], rate["norules"][i] / rate["sisimai"][i]))
        if rate["norules"][i]:
            print("  attribution cost (%s): %.1f%% fewer msgs/s with rules on" % (
                what, 100.0 * (rate["norules"][i] - rate["ours"][i]) / rate["norules"][i]))

    if args.passes > 1:
        print_steady_state(args, rate)

    lists = collections.Counter()
    with_list = 0
    resolver = 0
    for r in ours:
        ids = [h.get("id") for h in (r.get("lists") or []) if isinstance(h, dict)]
        if ids:
            with_list += 1
            lists.update(ids)
        if r.get("receiver_resolver_error"):
            resolver += 1
    print("== attribution on the corpus: %d records name a list, %d receiver_resolver_error" % (with_list, resolver))
    for lid, c in lists.most_common():
        print("  %-24s %d" % (lid, c))

    if args.verbose:
        print("== disagreements (file, recipient, got, want, diagnostic)")
        for lab, rec in ours_pairs:
            if rec is None:
                print("MISSING %s %s want=%s/%s/%s" % (lab["file"], lab["recipient"], lab["reason"], lab["status"], lab["replycode"]))
                continue
            got = (rec.get("reason"), norm_code(rec.get("status")), norm_code(rec.get("reply_code")))
            st_ok = got[1] == lab["status"] or (got[1] == "" and PSEUDO.match(lab["status"]))
            if got[0] != lab["reason"] or not st_ok or got[2] != lab["replycode"]:
                print("DIFF %s %s got=%s/%s/%s want=%s/%s/%s cmd=%s fmt=%s\n     %s" % (
                    lab["file"], lab["recipient"], got[0], got[1], got[2], lab["reason"], lab["status"],
                    lab["replycode"], rec.get("smtp_command", ""), rec.get("format", ""),
                    str(rec.get("diagnostic", ""))[:300]))
        for rec in ours_extra:
            print("EXTRA %s %s reason=%s" % (os.path.basename(str(rec.get("source", ""))), rec.get("recipient"), rec.get("reason")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
