#!/usr/bin/env python3
"""Kapacitor 1.5.9's service-handler stream alert tests (Slack, Sensu, PagerDuty, ... in
integrations/streamer_test.go, from extract/streamer-alert-tests.jsonl) with each service handler
replaced by `.post()` (its properties dropped), for alertrelay's post handler:
Tests/AlertRulesTests/Fixtures/kapacitor-streamer-services.jsonl, one case per line:
  {"name", "tick" (the task with `.post('http://127.0.0.1:9/')` for each service handler),
   "points" (as make-fixtures.py shifts them), "requests" (per request the fake service expected,
   in order: every string in it — the alert's message must be one of them)}"""
import json, os, re
import importlib.util

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("mf", os.path.join(here, "make-fixtures.py"))
src = os.path.join(here, "extract", "streamer-alert-tests.jsonl")
out = os.path.join(here, "..", "..", "Tests", "AlertRulesTests", "Fixtures", "kapacitor-streamer-services.jsonl")

SERVICES = ["sensu", "slack", "telegram", "hipChat", "alerta", "discord", "bigPanda", "pushover", "opsGenie", "opsGenie2",
            "pagerDuty", "pagerDuty2", "victorOps", "talk", "teams"]
ZERO = 31536000


def points(srpl):
    lines = srpl.strip("\n").split("\n")
    records = [lines[i + 2] for i in range(0, len(lines), 3)]
    first, outp = None, []
    for r in records:
        head, _, ts = r.rpartition(" ")
        t = int(ts)
        first = t if first is None else first
        outp.append(f"{head} {(ZERO + t - first) * 1_000_000_000}")
    return outp


def strings(v, acc):
    if isinstance(v, str):
        acc.append(v)
    elif isinstance(v, dict):
        for x in v.values(): strings(x, acc)
    elif isinstance(v, list):
        for x in v: strings(x, acc)
    return acc


handler = re.compile(r"^\.(%s)\(" % "|".join(SERVICES))
cases = []
for line in open(src):
    t = json.loads(line)
    lines, kept, inside = t["tick"].split("\n"), [], None
    for l in lines:
        s = l.strip()
        m = handler.match(s)
        # OpsGenie's .teams() is its property, not the Teams handler.
        if m and not (m.group(1) == "teams" and inside in ("opsGenie", "opsGenie2")):
            inside = m.group(1)
            kept.append("\t\t.post('http://127.0.0.1:9/')")
        elif inside and s.startswith("."):
            continue  # a property of the service handler
        else:
            kept.append(l)
    if not inside:
        continue
    requests = [strings(e["value"], []) for e in t["expected"] if "service" in e.get("role", "")]
    if not requests:
        continue
    cases.append({"name": t["name"], "tick": "\n".join(kept), "points": points(t["srpl"]), "requests": requests})

with open(out, "w") as f:
    for c in sorted(cases, key=lambda c: c["name"]):
        f.write(json.dumps(c, sort_keys=True) + "\n")
print(f"{len(cases)} cases -> {os.path.relpath(out)}")
