"""Bounded loopback load test of `kg serve` (issue 8).

Starts `kg serve --store STORE --host 127.0.0.1 --port <free port>` (or uses --url, which
must be a loopback address), then runs N concurrent clients for D seconds. Each client
keeps one HTTP/1.1 connection and cycles through a fixed mix of requests:

* every named query in ``queries/*.rq`` (SPARQL JSON results, GET ``/sparql?query=``),
* the same queries as POST ``application/sparql-query``,
* an ASK and a small CONSTRUCT (Turtle),
* the web page ``/`` and entity pages of IRIs taken from the store.

An error is any exception, timeout or non-2xx status. Reports requests, errors, throughput
and latency percentiles (p50/p95/p99/max) and writes them as JSON (``--json``). Exit status 1
when any request failed (so ``make loadtest`` fails on errors), 2 when the server did not start.

    python -m bench.loadtest --store kg-store                 # 50 clients, 60 s (make loadtest)
    python -m bench.loadtest --store kg-store --clients 10 --duration 5
"""
from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KG_NS = "https://w3id.org/kgdk/id/"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kg_executable() -> list[str]:
    exe = Path(sys.executable).with_name("kg")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "kg.cli"]


def wait_ready(host: str, port: int, proc: subprocess.Popen | None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    q = urllib.parse.urlencode({"query": "ASK {}"})
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"kg serve exited with status {proc.returncode}")
        try:
            c = http.client.HTTPConnection(host, port, timeout=2)
            c.request("GET", f"/sparql?{q}", headers={"Accept": "application/sparql-results+json"})
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on {host}:{port} not ready after {timeout:.0f} s")


def start_server(store: str, port: int, extra: list[str] | None = None, log=None) -> subprocess.Popen:
    cmd = kg_executable() + ["serve", "--store", store, "--host", "127.0.0.1", "--port", str(port)] + (extra or [])
    return subprocess.Popen(cmd, stdout=log or subprocess.DEVNULL, stderr=log or subprocess.DEVNULL,
                            start_new_session=True)


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def named_queries() -> list[tuple[str, str]]:
    """(name, text) of the named queries with their default parameters bound (as `kg query NAME` runs them)."""
    from kg.query import QueryError, bindings_for, list_queries
    from kg.store import bind
    out = []
    for q in list_queries():
        try:
            b = bindings_for(q, {})
        except QueryError:          # a required parameter without default: not in the mix
            continue
        out.append((q.name, bind(q.text, b) if b else q.text))
    return out


def sparql_get(conn: http.client.HTTPConnection, query: str, accept: str = "application/sparql-results+json"):
    conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})
    r = conn.getresponse()
    body = r.read()
    return r.status, body


def sample_entities(host: str, port: int, limit: int = 20) -> list[str]:
    c = http.client.HTTPConnection(host, port, timeout=30)
    q = f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?s), \"{KG_NS}\")) }} LIMIT {limit}"
    status, body = sparql_get(c, q)
    c.close()
    if status != 200:
        return []
    rows = json.loads(body)["results"]["bindings"]
    return [r["s"]["value"] for r in rows]


def build_mix(host: str, port: int, uncached: bool = False) -> list[tuple[str, str, str, dict, bytes | None]]:
    """(label, method, path, headers, body) requests each client cycles through.

    ``uncached``: also send every named query made unique per request, so the server's response
    cache cannot answer it (measures the query engine and worker pool under load)."""
    mix = []
    js = {"Accept": "application/sparql-results+json"}
    for name, text in named_queries():
        mix.append((f"GET q:{name}", "GET", "/sparql?" + urllib.parse.urlencode({"query": text}), js, None))
        # the same query made unique per request (a trailing comment): defeats the server's response cache
        if uncached:
            mix.append((f"UNCACHED q:{name}", "GET", "/sparql?" + urllib.parse.urlencode({"query": text + "\n# lt "}),
                        js, None))
        mix.append((f"POST q:{name}", "POST", "/sparql",
                    dict(js, **{"Content-Type": "application/sparql-query"}), text.encode("utf-8")))
    mix.append(("ASK", "GET", "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}), js, None))
    mix.append(("CONSTRUCT", "GET", "/sparql?" + urllib.parse.urlencode(
        {"query": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 50"}), {"Accept": "text/turtle"}, None))
    mix.append(("page /", "GET", "/", {"Accept": "text/html"}, None))
    from kg.serve import local_href
    for iri in sample_entities(host, port, 10):
        mix.append(("entity", "GET", local_href(iri), {"Accept": "text/html"}, None))
    return mix


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.by_label: dict[str, int] = {}
        self.uncached: list[float] = []

    def ok(self, label: str, dt: float) -> None:
        with self.lock:
            self.latencies.append(dt)
            self.by_label[label] = self.by_label.get(label, 0) + 1
            if label.startswith("UNCACHED"):
                self.uncached.append(dt)

    def fail(self, label: str, dt: float, why: str) -> None:
        with self.lock:
            self.latencies.append(dt)
            self.errors.append(f"{label}: {why}")


def client(host: str, port: int, mix, offset: int, stop_at: float, stats: Stats, timeout: float) -> None:
    conn = None
    i = offset
    while time.monotonic() < stop_at:
        label, method, path, headers, body = mix[i % len(mix)]
        i += 1
        if label.startswith("UNCACHED"):
            path = path + urllib.parse.quote(f"{offset}-{i}")
        t0 = time.perf_counter()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            dt = time.perf_counter() - t0
            if 200 <= r.status < 300 and data:
                stats.ok(label, dt)
            else:
                stats.fail(label, dt, f"HTTP {r.status} {data[:120]!r}")
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except Exception as e:  # noqa: BLE001 - every failure is counted
            stats.fail(label, time.perf_counter() - t0, f"{type(e).__name__}: {e}")
            if conn is not None:
                conn.close()
            conn = None
    if conn is not None:
        conn.close()


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(q / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def run(host: str, port: int, clients: int, duration: float, timeout: float = 30.0, uncached: bool = False) -> dict:
    mix = build_mix(host, port, uncached)
    stats = Stats()
    stop_at = time.monotonic() + duration
    threads = [threading.Thread(target=client, args=(host, port, mix, k * 7, stop_at, stats, timeout), daemon=True)
               for k in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + timeout + 10)
    wall = time.monotonic() - t0
    lat = sorted(stats.latencies)
    ms = lambda v: round(v * 1000, 2)  # noqa: E731
    return {
        "clients": clients, "duration_s": duration, "wall_s": round(wall, 2), "uncached": uncached,
        "requests": len(lat), "errors": len(stats.errors), "rps": round(len(lat) / wall, 1) if wall else 0,
        "p50_ms": ms(percentile(lat, 50)), "p95_ms": ms(percentile(lat, 95)), "p99_ms": ms(percentile(lat, 99)),
        "max_ms": ms(lat[-1]) if lat else None, "mix": len(mix),
        "uncached_requests": len(stats.uncached),
        "uncached_p50_ms": ms(percentile(sorted(stats.uncached), 50)) if stats.uncached else None,
        "uncached_p99_ms": ms(percentile(sorted(stats.uncached), 99)) if stats.uncached else None,
        "by_request": dict(sorted(stats.by_label.items())), "first_errors": stats.errors[:10],
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", default=os.environ.get("KG_STORE", "kg-store"))
    ap.add_argument("--url", help="an already running server (loopback only), e.g. http://127.0.0.1:8000")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--timeout", type=float, default=30.0, help="per-request client timeout (s)")
    ap.add_argument("--json", dest="json_out", help="write the result as JSON here")
    ap.add_argument("--uncached", action="store_true",
                    help="add named queries made unique per request (bypass the server's response cache)")
    ap.add_argument("--server-timeout", type=float, default=None, help="pass --timeout to kg serve")
    a = ap.parse_args(argv)
    if not (1 <= a.clients <= 200) or not (0 < a.duration <= 600):
        ap.error("bounded test: 1-200 clients, at most 600 s")
    proc = None
    if a.url:
        u = urllib.parse.urlsplit(a.url)
        host, port = u.hostname or "", u.port or 80
        try:
            loop = ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
        except (OSError, ValueError):
            loop = False
        if not loop:
            ap.error(f"--url must point to a loopback address, not {host!r}")
    else:
        host, port = "127.0.0.1", free_port()
        proc = start_server(a.store, port, ["--timeout", str(a.server_timeout)] if a.server_timeout else None)
    try:
        try:
            wait_ready(host, port, proc)
        except RuntimeError as e:
            print(f"loadtest: {e}", file=sys.stderr)
            return 2
        res = run(host, port, a.clients, a.duration, a.timeout, a.uncached)
    finally:
        if proc is not None:
            stop_server(proc)
    print(f"loadtest: {res['clients']} clients x {res['duration_s']:.0f} s: {res['requests']} requests, "
          f"{res['errors']} errors, {res['rps']} req/s, p50 {res['p50_ms']} ms, p95 {res['p95_ms']} ms, "
          f"p99 {res['p99_ms']} ms, max {res['max_ms']} ms"
          + (f"; uncached named queries: {res['uncached_requests']}, p50 {res['uncached_p50_ms']} ms, "
             f"p99 {res['uncached_p99_ms']} ms" if res["uncached"] else ""))
    for e in res["first_errors"]:
        print(f"  error: {e}", file=sys.stderr)
    if a.json_out:
        Path(a.json_out).write_text(json.dumps(res, indent=1) + "\n", "utf-8")
    return 1 if res["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
