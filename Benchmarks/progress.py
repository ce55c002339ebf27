#!/usr/bin/env python3
"""Follows a relay's progress through one series of its /metrics, cheaply.

usage: progress.py URL SERIES TARGET [INTERVAL_S [LIMIT_S]]

Reads URL every INTERVAL_S (0.05) over one keep-alive connection until SERIES (e.g.
alertrelay_points_evaluated_total) reaches TARGET or LIMIT_S (60) pass, then prints
"first_time first_value last_time last_value" (times: Unix seconds; "-" for first_time
when the series never moved, for last_time when TARGET was not reached). One process for the whole run instead of a curl and an awk per read
(~5 ms of CPU each on the machine the relay shares), so what the run measures is the relay.

With PROGRESS_ON_FIRST="command ..." the command is started (through the shell) when the
series first moves above 0: run.sh's perf profile starts there.
"""
import http.client
import os
import subprocess
import sys
import time
import urllib.parse


def read(conn, path, series):
    conn.request("GET", path)
    body = conn.getresponse().read()
    key = series.encode() + b" "
    at = body.find(b"\n" + key)
    if at < 0:
        return None
    end = body.find(b"\n", at + 1)
    return float(body[at + 1 + len(key):end if end > 0 else len(body)])


def main():
    url, series, target = sys.argv[1], sys.argv[2], float(sys.argv[3])
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 0.05
    limit = float(sys.argv[5]) if len(sys.argv) > 5 else 60.0
    u = urllib.parse.urlsplit(url)
    on_first = os.environ.get("PROGRESS_ON_FIRST")
    conn = None
    first = first_n = last = None
    n = 0.0
    deadline = time.time() + limit
    while time.time() < deadline:
        try:
            if conn is None:
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
            value = read(conn, u.path or "/", series)
        except (OSError, http.client.HTTPException):
            # Not listening yet, or the connection went idle: a new one next time.
            if conn is not None:
                conn.close()
            conn = None
            value = None
        now = time.time()
        if value is not None:
            n = value
            if first is None and n > 0:
                first, first_n = now, n
                if on_first:
                    subprocess.Popen(on_first, shell=True)
            if n >= target:
                last = now
                break
        time.sleep(interval)
    print("%s %d %s %d" % ("%.6f" % first if first else "-", first_n or 0, "%.6f" % last if last else "-", n))


if __name__ == "__main__":
    main()
