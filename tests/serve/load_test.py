"""The classroom load test of `nabla serve` (issue #19): 60 sessions playing at the default pace,
each polled by its own client (a keep-alive connection, as a browser tab) at 12.5 polls a second
for 10 s with the page's own request (grid 50, neurons 20, points; then deltas with since=).

Checks: every session gets >= 10 updates a second (replies whose version advanced), no reply is
a 5xx (nor fails), and the server's resident memory stays under RSS_BOUND_MB the whole time.

    /usr/bin/python3 tests/serve/load_test.py build/nabla-serve [--sessions 60] [--seconds 10]

Run by ctest as serve_load (label load; not in sanitizer builds: ASan makes every step several
times slower, which measures the sanitizer, not the server).
"""
import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time

RSS_BOUND_MB = 400
QUERY = "/state?grid=50&neurons=20&points=1"
VERSION = re.compile(rb'"version":(\d+)')


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def request(conn, method, path, body=None):
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
    res = conn.getresponse()
    return res.status, res.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server")
    ap.add_argument("--sessions", type=int, default=60)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--interval", type=float, default=0.08)  # 12.5 polls a second
    args = ap.parse_args()

    server = subprocess.Popen([args.server, "serve", "--port", "0", "--max-sessions", str(args.sessions)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()  # "playground at http://127.0.0.1:PORT/ ..."
        m = re.search(r":(\d+)/", line)
        if not m:
            print("the server did not start:", line, server.stderr.read(), file=sys.stderr)
            return 1
        port = int(m.group(1))
        return run(args, server.pid, port)
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(args, pid, port):
    setup = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    ids = []
    for _ in range(args.sessions):
        status, body = request(setup, "POST", "/api/sessions", b"{}")
        assert status == 201, (status, body[:200])
        ids.append(json.loads(body)["id"])
    for i in ids:
        status, body = request(setup, "POST", f"/api/sessions/{i}/play", b"")
        assert status == 200, (status, body[:200])
    setup.close()

    start = time.monotonic() + 0.5  # every client starts together
    stop = start + args.seconds
    results = [None] * len(ids)

    def client(k):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        base = f"/api/sessions/{ids[k]}"
        polls = updates = errors = 0
        statuses = {}
        version = None
        bytes_full = bytes_delta = 0
        gaps = []
        last_update = None
        while time.monotonic() < start:
            time.sleep(0.005)
        next_poll = time.monotonic()
        while True:
            now = time.monotonic()
            if now >= stop:
                break
            try:
                path = base + QUERY + ("" if version is None else f"&since={version}")
                status, body = request(conn, "GET", path)
            except Exception as e:  # a dropped connection counts as a failure
                errors += 1
                statuses[type(e).__name__] = statuses.get(type(e).__name__, 0) + 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            polls += 1
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                m = VERSION.search(body)
                v = int(m.group(1)) if m else None
                if version is None:
                    bytes_full = len(body)
                else:
                    bytes_delta += len(body)
                if v is not None and (version is None or v > version):
                    updates += 1
                    t = time.monotonic()
                    if last_update is not None:
                        gaps.append(t - last_update)
                    last_update = t
                version = v
            next_poll += args.interval
            time.sleep(max(0.0, next_poll - time.monotonic()))
        conn.close()
        results[k] = dict(polls=polls, updates=updates, errors=errors, statuses=statuses, bytes_full=bytes_full,
                          bytes_delta=bytes_delta / max(1, polls - 1), max_gap=max(gaps) if gaps else None)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(len(ids))]
    for t in threads:
        t.start()
    peak = 0.0
    cpu0 = cpu_seconds(pid)
    while any(t.is_alive() for t in threads):
        peak = max(peak, rss_mb(pid))
        time.sleep(0.1)
    for t in threads:
        t.join()
    cpu = cpu_seconds(pid) - cpu0

    seconds = args.seconds
    rates = [r["updates"] / seconds for r in results]
    polls = [r["polls"] / seconds for r in results]
    fivexx = sum(n for r in results for s, n in r["statuses"].items() if isinstance(s, int) and s >= 500)
    failed = sum(r["errors"] for r in results)
    non200 = sum(n for r in results for s, n in r["statuses"].items() if s != 200)
    print(f"{len(ids)} sessions, {seconds:g} s: updates/s per session min {min(rates):.1f} "
          f"median {sorted(rates)[len(rates) // 2]:.1f}; polls/s min {min(polls):.1f}; "
          f"non-200 {non200} (5xx {fivexx}, failed {failed}); server RSS peak {peak:.0f} MB (bound {RSS_BOUND_MB}); "
          f"bytes per poll: full {results[0]['bytes_full']}, delta mean {results[0]['bytes_delta']:.0f}; "
          f"longest gap between updates {max(r['max_gap'] or 0 for r in results):.2f} s; "
          f"server CPU {cpu / (seconds + 0.5):.2f} cores")
    ok = True
    if min(rates) < 10:
        print("FAIL: a session got fewer than 10 updates a second:",
              sorted((round(r, 1), k) for k, r in enumerate(rates))[:5], file=sys.stderr)
        ok = False
    if fivexx or failed or non200:
        print("FAIL: replies other than 200:", [r["statuses"] for r in results if len(r["statuses"]) > 1][:5],
              file=sys.stderr)
        ok = False
    if peak >= RSS_BOUND_MB:
        print(f"FAIL: the server's RSS reached {peak:.0f} MB", file=sys.stderr)
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
