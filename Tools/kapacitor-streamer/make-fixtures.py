#!/usr/bin/env python3
"""Turns Kapacitor 1.5.9's stream alert tests (extract/streamer-alert-tests.jsonl, made from
integrations/streamer_test.go by extract/) into the fixture the AlertRules tests replay:
Tests/AlertRulesTests/Fixtures/kapacitor-streamer.jsonl, one case per line:
  {"name", "rule" (our YAML for the TICKscript), "points" (line protocol, ns, shifted as the
   harness shifts them: the first point to 1971-01-01T00:00:00Z, gaps kept), "expected" (the
   alert data Kapacitor's handler receives, in order) or "expectedCount" (tests that only count),
   and "emitted" (what the test's httpOut after the alert serves: the alert node's last output
   point, with idField, levelTag, ... applied)}
The YAML translations are written here by hand, one per TICKscript; the alert node's output
properties (idField, levelTag, ...) shape its output points, not the alert data."""
import json, os, sys

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, "extract", "streamer-alert-tests.jsonl")
out = os.path.join(here, "..", "..", "Tests", "AlertRulesTests", "Fixtures", "kapacitor-streamer.jsonl")

WINDOW_COUNT = """measurement: cpu
where: '"host" == ''serverA'''
groupBy: [host]
window: {period: 10s, every: 10s}
count: value
info: '"count" > 6.0'
warn: '"count" > 7.0'
crit: '"count" > 8.0'
"""

RULES = {
    "TestStream_Alert": "id: TestStream_Alert\n" + WINDOW_COUNT + "alertId: 'kapacitor/{{ .Name }}/{{ index .Tags \"host\" }}'\ndetails: details\n"
        + "idField: id\nidTag: id\nlevelField: level\nmessageField: msg\nlevelTag: level\n",
    "TestStream_AlertTCP": "id: TestStream_AlertTCP\n" + WINDOW_COUNT + "alertId: 'kapacitor.{{ .Name }}.{{ index .Tags \"host\" }}'\ndetails: ''\n",
    "TestStream_AlertHTTPPost": "id: TestStream_AlertHTTPPost\n" + WINDOW_COUNT + "alertId: 'kapacitor.{{ .Name }}.{{ index .Tags \"host\" }}'\ndetails: ''\n",
    "TestStream_AlertLog": "id: TestStream_AlertLog\n" + WINDOW_COUNT + "alertId: 'kapacitor.{{ .Name }}.{{ index .Tags \"host\" }}'\ndetails: ''\n",
    "TestStream_AlertKafka": "id: TestStream_AlertKafka\n" + WINDOW_COUNT + "alertId: 'kapacitor/{{ .Name }}/{{ index .Tags \"host\" }}'\n",
    "TestStream_AlertServiceNow": """id: TestStream_AlertServiceNow
measurement: cpu
where: '"host" == ''serverA'''
groupBy: [host, type]
window: {period: 10s, every: 10s}
mean: value
alertId: 'kapacitor/{{ .Name }}/{{ index .Tags "host" }}'
info: '"mean" > 15.0'
warn: '"mean" > 50.0'
crit: '"mean" > 90.0'
""",
    "TestStream_Alert_NoRecoveries": """id: TestStream_Alert_NoRecoveries
measurement: cpu
groupBy: [host]
alertId: 'kapacitor/{{ .Name }}/{{ index .Tags "host" }}'
details: ''
info: '"value" >= 6.0'
warn: '"value" >= 7.0'
crit: '"value" >= 8.0'
noRecoveries: true
""",
    "TestStream_AlertDuration": """id: TestStream_AlertDuration
measurement: cpu
where: '"host" == ''serverA'''
groupBy: [host]
alertId: 'kapacitor/{{ .Name }}/{{ index .Tags "host" }}'
details: details
durationField: duration
warn: '"value" > 7.0'
crit: '"value" > 8.0'
stateChangesOnly: true
""",
    "TestStream_AlertStateChangesOnly": """id: TestStream_AlertStateChangesOnly
measurement: cpu
crit: '"value" < 93'
stateChangesOnly: true
""",
    "TestStream_AlertStateChangesOnlyExpired": """id: TestStream_AlertStateChangesOnlyExpired
measurement: cpu
crit: '"value" < 97'
details: ''
stateChangesOnly: 2s
""",
    "TestStream_AlertFlapping": """id: TestStream_AlertFlapping
measurement: cpu
where: '"host" == ''serverA'''
info: '"value" < 95'
warn: '"value" < 94'
crit: '"value" < 93'
flapping: {low: 0.25, high: 0.50}
history: 21
""",
    "TestStream_AlertSigma": """id: TestStream_AlertSigma
measurement: cpu
where: '"host" == ''serverA'''
steps:
  - eval: {lambda: 'sigma("value")', as: sigma, keep: true}
details: '{{ .Message }}'
info: '"sigma" > 2.0'
warn: '"sigma" > 3.0'
crit: '"sigma" > 3.5'
""",
    "TestStream_AlertComplexWhere": """id: TestStream_AlertComplexWhere
measurement: cpu
where: '"host" == ''serverA'' AND sigma("value") > 2'
details: ''
crit: 'TRUE'
""",
}

for level, (lo, mid, hi) in {"0": ("10.0", "20.0", "30.0"), "1": ("30.0", "50.0", "70.0")}.items():
    RULES["TestStream_Alert_WithReset_" + level] = f"""id: TestStream_Alert_WithReset_{level}
measurement: cpu
where: '"host" == ''serverA'''
groupBy: [host]
alertId: 'kapacitor/{{{{ .Name }}}}/{{{{ index .Tags "host" }}}}'
details: details
idField: id
idTag: id
levelField: level
levelTag: level
info: '"value" > 40.0'
infoReset: '"value" < {lo}'
warn: '"value" > 60.0'
warnReset: '"value" < {mid}'
crit: '"value" > 80.0'
critReset: '"value" < {hi}'
"""

ZERO = 31536000  # 1971-01-01T00:00:00Z in Unix seconds


def points(srpl):
    lines = srpl.strip("\n").split("\n")
    records = [lines[i + 2] for i in range(0, len(lines), 3)]
    first = None
    out = []
    for r in records:
        head, _, ts = r.rpartition(" ")
        t = int(ts)
        if first is None:
            first = t
        out.append(f"{head} {(ZERO + t - first) * 1_000_000_000}")
    return out


def alert_data(e):
    v = e["value"]
    if v.get("$type") == "httpposttest.AlertRequest":
        v = v["Data"]
    if "ID" not in v:
        return None
    d = {k: v[k] for k in ("ID", "Message", "Details", "Time", "Duration", "Level", "PreviousLevel", "Recoverable")}
    if isinstance(v.get("Data"), dict):
        d["Series"] = [{"name": s["Name"], "tags": s.get("Tags") or {}, "columns": s["Columns"], "values": s["Values"]} for s in v["Data"]["Series"]]
    return d


# Properties that address the test's own HTTP/TCP servers, and the httpOut node (its result is
# checked as the alert's emitted point): dropped, so the rest of the script runs as written.
DROP = (".post(", ".tcp(", ".log(", ".mode(", "|httpOut(", ".kafka()", ".cluster(", ".kafkaTopic(", ".template(", ".serviceNow()", ".node(", ".type(",
        ".resource(", ".metricName(", ".messageKey(", ".additionalInfo(")


def runnable_tick(tick):
    return "\n".join(l for l in tick.split("\n") if not l.strip().startswith(DROP))


cases = []
for line in open(src):
    t = json.loads(line)
    name = t["name"]
    if name not in RULES:
        continue
    case = {"name": name, "rule": RULES[name], "points": points(t["srpl"]), "tick": runnable_tick(t["tick"])}
    expected = []
    for e in t["expected"]:
        role = e.get("role", "")
        if "httpOut" in role:
            case["emitted"] = [{"name": r["Name"], "tags": r.get("Tags") or {}, "columns": r["Columns"], "values": r["Values"]}
                               for r in e["value"]["Series"]]
            continue
        if t["name"] == "TestStream_AlertKafka":
            v = e["value"]
            expected.append({"ID": v["Key"], "Message": v["Message"]})
            continue
        if t["name"] == "TestStream_AlertServiceNow":
            r = e["value"]["Alerts"]["Records"][0]
            expected = [{"ID": "kapacitor/cpu/serverA", "Message": r["Description"], "Level": "CRITICAL", "Time": "1971-01-01T00:00:10Z"}]
            continue
        for v in (e["value"] if isinstance(e["value"], list) else [e["value"]]):
            d = alert_data({"value": v})
            if d is not None:
                expected.append(d)
    counts = [c for c in t.get("checks", []) if "requestCount" in c]
    if expected:
        case["expected"] = expected
    for c in counts:
        for tok in c.replace("(", " ").replace(")", " ").replace(";", " ").replace(",", " ").split():
            if tok.isdigit() and int(tok) > 1:
                case["expectedCount"] = int(tok)
    if "expected" not in case and "expectedCount" not in case:
        sys.exit(f"{name}: nothing to check")
    cases.append(case)

missing = set(RULES) - {c["name"] for c in cases}
if missing:
    sys.exit(f"not in the extraction: {sorted(missing)}")
with open(out, "w") as f:
    for c in sorted(cases, key=lambda c: c["name"]):
        f.write(json.dumps(c, sort_keys=True) + "\n")
print(f"{len(cases)} cases -> {os.path.relpath(out)}")
