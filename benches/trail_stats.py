#!/usr/bin/env python3
"""Input-size figures for benches/run.sh (standard library only).

  trail_stats.py index  DIR            write DIR/files.tsv once (per log file: delivery time from the
                                       file name, records, uncompressed JSON bytes, gzip bytes)
  trail_stats.py window DIR FROM TO    print "files records json_bytes gz_bytes role_records" for the log
                                       files delivered in [FROM, TO) (UTC days, YYYY-MM-DD) and, from
                                       truth.json, the target role's records with eventTime in [FROM, TO)

The uncompressed size is measured by decompressing every file (the equivalent of `zcat | wc -c`), so it
does not trust the generator's manifest; the manifest total is cross-checked.
"""
import gzip
import json
import os
import sys


def log_files(root):
    for base, _, names in os.walk(os.path.join(root, "AWSLogs")):
        for n in names:
            if n.endswith(".json.gz"):
                yield os.path.join(base, n)


def delivery(name):
    # <account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<id>.json.gz
    s = name.split("_")[3]
    return f"{s[0:4]}-{s[4:6]}-{s[6:8]}T{s[9:11]}:{s[11:13]}Z"


def index(root):
    tsv = os.path.join(root, "files.tsv")
    if os.path.exists(tsv):
        return tsv
    rows = []
    for p in sorted(log_files(root)):
        with open(p, "rb") as f:
            gz = f.read()
        raw = gzip.decompress(gz)
        n = len(json.loads(raw)["Records"])
        rows.append((delivery(os.path.basename(p)), n, len(raw), len(gz), os.path.relpath(p, root)))
    man = os.path.join(root, "manifest.json")
    if os.path.exists(man):
        with open(man) as f:
            m = json.load(f)
        got = (sum(r[1] for r in rows), sum(r[2] for r in rows))
        if got != (m["records"], m["bytes_uncompressed"]):
            sys.exit(f"trail_stats: {root}: files hold {got} (records, bytes), manifest says "
                     f"({m['records']}, {m['bytes_uncompressed']})")
    with open(tsv + ".tmp", "w") as f:
        for r in rows:
            f.write("\t".join(map(str, r)) + "\n")
    os.replace(tsv + ".tmp", tsv)
    return tsv


def window(root, frm, to):
    files = recs = raw = gz = 0
    with open(index(root)) as f:
        for line in f:
            t, n, r, g, _ = line.rstrip("\n").split("\t")
            if frm <= t[:10] < to:
                files, recs, raw, gz = files + 1, recs + int(n), raw + int(r), gz + int(g)
    role = 0
    with open(os.path.join(root, "manifest.json")) as f:
        arn = json.load(f)["target_role_arn"]
    with open(os.path.join(root, "truth.json")) as f:
        ent = json.load(f)["principals"].get(arn, {"events": {}})
    for e in ent["events"].values():
        for status in ("ok", "denied", "error"):
            role += sum(c for d, c in e[status].items() if frm <= d < to)
    print(files, recs, raw, gz, role)


def main():
    a = sys.argv[1:]
    if len(a) == 2 and a[0] == "index":
        index(a[1])
    elif len(a) == 4 and a[0] == "window":
        window(a[1], a[2], a[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
