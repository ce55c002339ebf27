#!/usr/bin/env python3
"""Records what Python's tomllib (the reference TOML 1.0 reader) makes of every document in the
corpus, as Tests/TOMLTests/Fixtures/oracle.jsonl: one JSON object per line,

  {"name": ..., "toml": <document>, "expected": <tree> | null, "error": <tomllib's message> | null,
   "deviation": <why we refuse what tomllib accepts> | null}

A tree is one node per value, each a one-key object naming the TOML type:
  {"table": {key: node}}, {"array": [node]}, {"string": s}, {"integer": "42"}, {"float": repr},
  {"bool": true}, {"datetime": "1979-05-27T07:32:00.000000+00:00"}, {"datetime-local": ...},
  {"date-local": "1979-05-27"}, {"time-local": "07:32:00.000000"}
(fractional seconds to the microsecond: tomllib keeps no more).

usage: generate.py                      the corpus (cases.py, the repository's TOML files) into the tests
       generate.py --dir DIR OUT.jsonl  every *.toml under DIR (for a local run against another corpus)
"""
import datetime
import json
import os
import re
import subprocess
import sys
import tomllib

import cases

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "Tests", "TOMLTests", "Fixtures", "oracle.jsonl")
KAPACITOR = "/work/.mirror/influxdata+kapacitor/repo"


def node(v):
    if isinstance(v, dict):
        return {"table": {k: node(x) for k, x in v.items()}}
    if isinstance(v, list):
        return {"array": [node(x) for x in v]}
    if isinstance(v, bool):
        return {"bool": v}
    if isinstance(v, int):
        return {"integer": str(v)}
    if isinstance(v, float):
        return {"float": repr(v)}
    if isinstance(v, str):
        return {"string": v}
    if isinstance(v, datetime.datetime):
        s = f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}"
        if v.tzinfo is None:
            return {"datetime-local": s}
        minutes = int(v.utcoffset().total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        return {"datetime": s + f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"}
    if isinstance(v, datetime.date):
        return {"date-local": f"{v.year:04d}-{v.month:02d}-{v.day:02d}"}
    if isinstance(v, datetime.time):
        return {"time-local": f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}"}
    raise TypeError(type(v))


def out_of_int64(v):
    if isinstance(v, dict):
        return any(out_of_int64(x) for x in v.values())
    if isinstance(v, list):
        return any(out_of_int64(x) for x in v)
    return isinstance(v, int) and not isinstance(v, bool) and not (-2**63 <= v < 2**63)


def record(name, text, deviation=None):
    try:
        tree = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        if deviation:
            sys.exit(f"{name}: marked as a deviation, but tomllib refuses it too: {e}")
        return {"name": name, "toml": text, "expected": None, "error": str(e), "deviation": None}
    except RecursionError:
        if not deviation:
            sys.exit(f"{name}: tomllib ran out of stack; mark it a deviation or make it shallower")
        tree = None
    if out_of_int64(tree) and not deviation:
        deviation = "an integer outside 64 bits (TOML 1.0: an implementation must refuse what it cannot hold losslessly)"
    if deviation:
        return {"name": name, "toml": text, "expected": None, "error": None, "deviation": deviation}
    return {"name": name, "toml": text, "expected": node(tree), "error": None, "deviation": None}


def repository_documents():
    """The TOML this repository ships or shows: Config/, the test fixtures, README's ```toml blocks,
    and Kapacitor 1.5.9's own kapacitor.conf."""
    docs = []
    for rel in ["Config/alertrelay.conf", "Tests/RelayConfigTests/Fixtures/kapacitor-1.5.9.conf"]:
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            docs.append((rel, f.read()))
    try:
        shipped = subprocess.run(["git", "-C", KAPACITOR, "show", "v1.5.9:etc/kapacitor/kapacitor.conf"],
                                 check=True, capture_output=True, text=True).stdout
        docs.append(("kapacitor v1.5.9:etc/kapacitor/kapacitor.conf", shipped))
    except (OSError, subprocess.CalledProcessError):
        sys.exit(f"needs the Kapacitor mirror at {KAPACITOR}")
    for rel in ["README.md"]:
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            for i, block in enumerate(re.findall(r"```toml\n(.*?)```", f.read(), re.S)):
                docs.append((f"{rel} toml block {i + 1}", block))
    return docs


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--dir":
        records = []
        for dirpath, _, files in sorted(os.walk(sys.argv[2])):
            for fn in sorted(files):
                if fn.endswith(".toml"):
                    path = os.path.join(dirpath, fn)
                    with open(path, "rb") as f:
                        raw = f.read()
                    try:
                        text = raw.decode("utf-8")
                    except UnicodeDecodeError:
                        continue  # not text: refused before any TOML reader sees it
                    records.append(record(os.path.relpath(path, sys.argv[2]), text))
        out = sys.argv[3]
    else:
        records = [record(n, t) for n, t in repository_documents()]
        records += [record(n, t, d) for n, t, d in cases.all_cases()]
        out = OUT
    names = [r["name"] for r in records]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        sys.exit(f"duplicate case names: {sorted(dupes)[:5]}")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    valid = sum(1 for r in records if r["expected"] is not None)
    deviations = sum(1 for r in records if r["deviation"])
    print(f"{out}: {len(records)} documents, {valid} valid, {len(records) - valid - deviations} invalid, {deviations} deviations")


if __name__ == "__main__":
    main()
