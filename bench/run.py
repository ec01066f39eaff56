"""End-to-end benchmark of kg on a synthetic corpus (issue 7): ``python -m bench.run`` / ``make bench``.

Generates a corpus with :mod:`kg.synth`, then measures the real code paths:

1. ``stages``: read / parse / entities / map / load, one process, on a sample of the
   corpus (per-stage documents/s and share of the time);
2. ``build``: ``kg build`` (a subprocess, all cores) on the whole corpus: wall time,
   documents/s, triples/s, peak RSS of the process tree (sampled with psutil);
3. ``counts``: the graph's counts (documents, meetings, items, committees, municipalities,
   persons, organisations, projects, grants, funders, cases ...) against the generator's
   ``expected.json``, plus a parser read-back of a sample against ``manifest.jsonl``;
4. ``incremental``: rebuild with nothing changed, then with 1 % of the documents changed;
5. ``scaling``: time(N) / time(N/10) (when N >= 2000);
6. ``queries``: every named query (``queries/*.rq``), median latency on the store, and the same
   queries on rdflib's in-memory Graph loaded with the same data (capped subset: both engines
   run on exactly the same quads; ratio measured in this run);
7. ``shacl``: ``kg validate`` on the whole store, and kg's validator vs pyshacl over the whole
   graph at once on a capped subset (time and number of violations);
8. ``export``: ``kg export --format gexf`` (entities view) time and peak RSS vs networkx
   ``write_gexf`` on the same view;
9. ``profile``: pyinstrument over the single-process pipeline on a sample.

Environment: BENCH_DOCS (300), BENCH_SEED (1), BENCH_JOBS (all cores), BENCH_REPORT_DIR (bench/),
BENCH_WORK (a temporary directory, removed unless BENCH_KEEP=1), BENCH_STAGE_DOCS (2000),
BENCH_RDFLIB_CAP (300000 quads), BENCH_RDFLIB_TIMEOUT (s, 600: also the limit for kg validate, kg export and
the pyshacl / networkx baselines), BENCH_SHACL_DOCS (150),
BENCH_PROFILE_DOCS (400, 0 = off), BENCH_QUERY_RUNS (5), BENCH_QUERY_TIMEOUT (s per query, 60),
BENCH_SCALING (auto|0|1),
BENCH_SKIP (comma-separated section names).

Writes ``<BENCH_REPORT_DIR>/report.json`` and ``report.md``. Exit status 1 when the count check
fails or a core section (synth, build, counts) errors; timings never fail the run.
"""
from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KG = [sys.executable, "-m", "kg.cli"]

TARGETS = {
    "docs_per_s": 500,            # >= documents/s end to end
    "seconds_100k": 300,          # 100k documents <= 5 min
    "peak_rss_mb": 2048,          # <= 2 GB
    "scaling_ratio": 11,          # time(100k)/time(10k) <= 11
    "query_ms": 100,              # named query median <= 100 ms at 10M triples
    "query_speedup": 50,          # >= 50x faster than rdflib
    "shacl_s": 60,                # SHACL validation of 10M triples <= 60 s
    "gexf_s": 20, "gexf_rss_mb": 2048,
    "incremental_ratio": 0.05,    # 1 % changed rebuilds in about 1 % of the full time (allow 5 %)
}


# --------------------------------------------------------------------------- helpers
def env_int(name, default):
    v = os.environ.get(name, "").strip()
    return int(v) if v else default


class Config:
    def __init__(self):
        self.docs = env_int("BENCH_DOCS", 300)
        self.seed = env_int("BENCH_SEED", 1)
        self.jobs = env_int("BENCH_JOBS", os.cpu_count() or 1)
        self.report_dir = Path(os.environ.get("BENCH_REPORT_DIR") or (ROOT / "bench"))
        self.work = os.environ.get("BENCH_WORK") or ""
        self.keep = os.environ.get("BENCH_KEEP", "") not in ("", "0")
        self.stage_docs = env_int("BENCH_STAGE_DOCS", 2000)
        self.rdflib_cap = env_int("BENCH_RDFLIB_CAP", 300_000)
        self.rdflib_timeout = env_int("BENCH_RDFLIB_TIMEOUT", 600)
        self.shacl_docs = env_int("BENCH_SHACL_DOCS", 150)
        self.profile_docs = env_int("BENCH_PROFILE_DOCS", 400)
        self.query_runs = env_int("BENCH_QUERY_RUNS", 5)
        self.query_timeout = env_int("BENCH_QUERY_TIMEOUT", 60)
        self.rdflib_query_timeout = env_int("BENCH_RDFLIB_QUERY_TIMEOUT", self.query_timeout)
        self.resume = os.environ.get("BENCH_RESUME", "")
        sc = os.environ.get("BENCH_SCALING", "auto")
        self.scaling = (self.docs >= 2000) if sc == "auto" else sc not in ("0", "")
        self.skip = {s.strip() for s in os.environ.get("BENCH_SKIP", "").split(",") if s.strip()}

    def as_dict(self):
        d = dict(self.__dict__)
        d["report_dir"] = str(self.report_dir)
        d["skip"] = sorted(self.skip)
        return d


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return out.stdout.strip() + ("+changes" if dirty else "")
    except OSError:
        return ""


def machine() -> dict:
    import psutil
    cpu = platform.processor() or ""
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    vers = {}
    for pkg in ("kg", "pyoxigraph", "rdflib", "pyshacl", "networkx", "psutil", "pyinstrument", "click"):
        try:
            from importlib.metadata import version
            vers[pkg] = version(pkg)
        except Exception:
            vers[pkg] = None
    return {"cores_logical": os.cpu_count(), "cores_physical": psutil.cpu_count(logical=False),
            "ram_gb": round(psutil.virtual_memory().total / 2**30, 1), "cpu": cpu,
            "python": platform.python_version(), "platform": platform.platform(), "packages": vers,
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()], "commit": _git_commit(),
            "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())}


class RSSSampler(threading.Thread):
    """Peak summed RSS of a process and all its descendants, sampled every `interval` s."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        import psutil
        self.proc = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._halt = threading.Event()

    def run(self):
        import psutil
        while not self._halt.is_set():
            try:
                procs = [self.proc] + self.proc.children(recursive=True)
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        pass
                self.peak = max(self.peak, total)
            except psutil.NoSuchProcess:
                break
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join(2)


def run_measured(args, timeout=None, cwd=None, env=None) -> dict:
    """Run a command; return wall seconds, peak RSS (MB, process tree), exit code, stderr tail."""
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
                         env=env, start_new_session=True)     # own process group: a timeout ends its workers too
    s = RSSSampler(p.pid)
    s.start()
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        import signal
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
        err += f"\n(timeout after {timeout} s)"
    wall = time.perf_counter() - t0
    s.stop()
    return {"seconds": round(wall, 3), "peak_rss_mb": round(s.peak / 2**20, 1), "rc": p.returncode,
            "stderr_tail": "\n".join(err.strip().splitlines()[-12:]), "stdout_tail": out[-2000:]}


def median_ms(fn, runs) -> tuple[float, object]:
    res, times = None, []
    for _ in range(runs):
        t0 = time.perf_counter()
        res = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 3), res


def kg_has_command(name: str) -> bool:
    p = subprocess.run(KG + [name, "--help"], capture_output=True, text=True, cwd=ROOT)
    return p.returncode == 0


def doc_files(corpus: Path, limit=None) -> list:
    out = []
    for line in open(corpus / "manifest.jsonl", encoding="utf-8"):
        out.append(corpus / json.loads(line)["path"])
        if limit and len(out) >= limit:
            break
    return out


def build_args(paths, store, jobs):
    return KG + ["build", *map(str, paths), "--store", str(store), "--jobs", str(jobs)]


def corpus_paths(corpus: Path, n: int, total: int) -> list:
    """Paths naming the first n documents: whole shard directories when possible."""
    from kg.synth import SHARD
    if n == total or n % SHARD == 0:
        k = -(-n // SHARD)
        return sorted((corpus / "docs").iterdir())[:k]
    return doc_files(corpus, n)


# --------------------------------------------------------------------------- sections
def sec_synth(cfg, ctx):
    from kg import synth
    t0 = time.perf_counter()
    exp = synth.generate(ctx["corpus"], docs=cfg.docs, seed=cfg.seed)
    dt = time.perf_counter() - t0
    size = sum(f.stat().st_size for f in (ctx["corpus"] / "docs").rglob("*.txt"))
    ctx["expected"] = exp
    return {"seconds": round(dt, 2), "docs_per_s": round(cfg.docs / dt, 1), "bytes": size,
            "mean_doc_kb": round(size / cfg.docs / 1024, 1), "expected": exp["counts"],
            "layouts": exp["layouts"]}


def sec_stages(cfg, ctx):
    """Single-process pass over a sample: time per stage (the real functions of each stage)."""
    from kg.parsers import parse_document
    from kg.parsers.entities import extract_entities
    from kg.sources import read_source
    files = doc_files(ctx["corpus"], min(cfg.stage_docs, cfg.docs))
    t = dict.fromkeys(("read", "parse", "entities", "map", "load"), 0.0)
    cpu = dict.fromkeys(t, 0.0)     # process CPU (all threads: the bulk loader has its own)
    pc = time.perf_counter
    ct = time.process_time
    docs = []
    srcs = []
    for f in files:
        c0, t0 = ct(), pc()
        s = read_source(f)
        c1, t1 = ct(), pc()
        d = parse_document(s)
        c2, t2 = ct(), pc()
        d = extract_entities(d, s)
        c3, t3 = ct(), pc()
        t["read"] += t1 - t0
        t["parse"] += t2 - t1
        t["entities"] += t3 - t2
        cpu["read"] += c1 - c0
        cpu["parse"] += c2 - c1
        cpu["entities"] += c3 - c2
        docs.append(d)
        srcs.append(s)
    res = {"documents": len(files)}
    parts = []
    try:            # what `kg build` does: N-Quads bytes in the workers, bulk loads in the parent
        from kg.mapping import document_iri, map_document_nquads
        c0, t0 = ct(), pc()
        for d in docs:
            data, n = map_document_nquads(d)
            parts.append((data, document_iri(d), n))
        t["map"] = pc() - t0
        cpu["map"] = ct() - c0
        nq = sum(n for _, _, n in parts)
        res["quads"] = nq
        res["quads_per_doc"] = round(nq / max(1, len(docs)), 1)
    except Exception as e:
        res["map_error"] = f"{type(e).__name__}: {e}"
        t.pop("map")
    if parts:
        from kg.build import BATCH_BYTES
        from kg.store import Store
        sdir = ctx["work"] / "stage-store"
        shutil.rmtree(sdir, ignore_errors=True)
        st = Store.open(sdir, create=True)
        c0, t0 = ct(), pc()
        with st.writer() as w:       # named graphs and their materialised union, in build-sized batches
            batch, size = [], 0
            for part in parts:
                batch.append(part)
                size += len(part[0])
                if size >= BATCH_BYTES:
                    w.load_nquads(batch)
                    batch, size = [], 0
            w.load_nquads(batch)
        t["load"] = pc() - t0
        cpu["load"] = ct() - c0
        st.close()
        shutil.rmtree(sdir, ignore_errors=True)
        res["load_floor"] = _load_floor(parts, ctx["work"] / "stage-floor")
    else:
        t.pop("load", None)
        cpu.pop("load", None)
    total = sum(t.values())
    cpu_total = sum(cpu.values())
    res["cpu_seconds"] = {k: round(v, 3) for k, v in cpu.items()}
    if cpu_total:
        # every stage parallel on every core, nothing else running, no hand-over costs: an upper bound
        cores = os.cpu_count() or 1
        res["cpu_ms_per_doc"] = round(1000 * cpu_total / len(files), 2)
        res["ceiling_docs_per_s"] = round(cores * len(files) / cpu_total, 1)
        res["cores"] = cores
    res["seconds"] = {k: round(v, 3) for k, v in t.items()}
    res["docs_per_s"] = {k: round(len(files) / v, 1) if v else None for k, v in t.items()}
    res["share"] = {k: round(v / total, 3) for k, v in t.items()} if total else {}
    res["single_core_docs_per_s"] = round(len(files) / total, 1) if total else None
    ctx["stage_docs"] = docs
    return res


def _load_floor(parts, where: Path) -> dict:
    """Process CPU of pyoxigraph's bulk loader for the same N-Quads bytes, in one call into an empty
    store: the named graphs alone, and named graphs + union (what a build must at least spend per
    document on loading, whatever the code around it)."""
    import pyoxigraph as ox
    nq = b"".join(d for d, _, _ in parts)
    from kg.store import union_ntriples
    nt = union_ntriples(parts)
    out = {"documents": len(parts), "nquads_bytes_per_doc": round(len(nq) / max(1, len(parts)))}
    for name, loads in (("named_only", ((nq, ox.RdfFormat.N_QUADS),)),
                        ("named_and_union", ((nq, ox.RdfFormat.N_QUADS), (nt, ox.RdfFormat.N_TRIPLES)))):
        shutil.rmtree(where, ignore_errors=True)
        db = ox.Store(str(where))
        c0 = time.process_time()
        for data, fmt_ in loads:
            db.bulk_load(input=data, format=fmt_)
        db.flush()
        c = time.process_time() - c0
        del db
        shutil.rmtree(where, ignore_errors=True)
        out[name] = {"cpu_s": round(c, 3), "cpu_ms_per_doc": round(1000 * c / max(1, len(parts)), 2),
                     "docs_per_s_per_core": round(len(parts) / c, 1) if c else None}
    return out


def _store_len(store) -> int:
    from kg.store import Store
    st = Store.open(store, create=False)
    try:
        return st.quad_count()
    finally:
        st.close()


def sec_build(cfg, ctx):
    if not kg_has_command("build"):
        raise RuntimeError("`kg build` is not available yet (graph helper's kg/build.py has not landed)")
    store = ctx["work"] / "store"
    shutil.rmtree(store, ignore_errors=True)
    paths = corpus_paths(ctx["corpus"], cfg.docs, cfg.docs)
    r = run_measured(build_args(paths, store, cfg.jobs), cwd=ROOT)
    if r["rc"] not in (0, 1):
        raise RuntimeError(f"kg build failed (exit {r['rc']}): {r['stderr_tail']}")
    n = _store_len(store)
    ctx["store"] = store
    ctx["quads"] = n
    ctx["build_seconds"] = r["seconds"]
    r.update(documents=cfg.docs, quads=n, jobs=cfg.jobs,
             docs_per_s=round(cfg.docs / r["seconds"], 1), triples_per_s=round(n / r["seconds"], 1),
             projected_100k_s=round(r["seconds"] * 100_000 / cfg.docs, 1))
    return r


COUNT_KINDS = {"document": "documents", "meeting": "meetings", "item": "items", "committee": "committees",
               "municipality": "municipalities_all", "person": "persons", "project": "projects",
               "grant": "grants", "organization": "organizations", "case": "cases", "party": "parties"}
# Exact equality required for these (document structure, meeting identity, project resolution); the
# others depend on how much of the prose the entity extractor reads and are reported with their deviation.
STRICT = ("documents", "meetings", "items", "committees", "municipalities_all", "projects")


def graph_counts(store) -> dict:
    from kg.iris import DATA
    from kg.store import Store
    from kg.views import _load_terms
    st = Store.open(store, create=False)
    try:
        q = f"""SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {{
                  ?s a ?c . FILTER(STRSTARTS(STR(?s), "{DATA}"))
                  BIND(STRBEFORE(SUBSTR(STR(?s), {len(DATA) + 1}), "/") AS ?kind) }} GROUP BY ?kind"""
        out = {}
        for row in st.query(q):
            k = row["kind"].value
            out[COUNT_KINDS.get(k, "kind:" + k)] = int(row["n"].value)
        fq = f"SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {{ ?g {_load_terms()['funder']} ?f }}"
        for row in st.query(fq):
            out["funders"] = int(row["n"].value)
        return out
    finally:
        st.close()


def expected_counts(exp: dict) -> dict:
    c = dict(exp["counts"])
    return c


def sec_counts(cfg, ctx):
    res = {}
    # parser read-back of a sample against the manifest (independent of the graph)
    rows = [json.loads(line) for line in open(ctx["corpus"] / "manifest.jsonl", encoding="utf-8")]
    docs = ctx.get("stage_docs") or []
    mism = {}
    for m, d in zip(rows, docs):
        got = {"municipality": d.municipality, "committee": d.committee, "date": d.date,
               "item_numbers": [it.number for it in d.items]}
        for k, v in got.items():
            if v != m[k]:
                key = f"{m['layout']}{'+variant' if m['variant'] else ''}:{k}"
                e = mism.setdefault(key, {"n": 0, "example": None})
                e["n"] += 1
                e["example"] = e["example"] or {"path": m["path"], "expected": m[k], "got": v}
    res["readback"] = {"documents": len(docs), "mismatches": mism,
                       "ok": sum(1 for m, d in zip(rows, docs)
                                 if d.municipality == m["municipality"] and d.committee == m["committee"]
                                 and d.date == m["date"] and [i.number for i in d.items] == m["item_numbers"])}
    exp = expected_counts(ctx["expected"])
    if "store" not in ctx:
        res["graph"] = "no store (build unavailable)"
        res["passed"] = False
        return res
    got = graph_counts(ctx["store"])
    table = {}
    for k in sorted(set(exp) | set(got)):
        if k in ("grant_amount_total", "grants_with_amount", "closed_items", "cross_municipality_projects",
                 "mentioned_municipalities", "municipalities", "members"):
            continue
        e_, g_ = exp.get(k), got.get(k)
        table[k] = {"expected": e_, "graph": g_, "ok": e_ == g_ if e_ is not None and g_ is not None else None,
                    "deviation": round((g_ - e_) / e_, 4) if e_ and g_ is not None else None,
                    "strict": k in STRICT}
    res["table"] = table
    res["failed"] = [k for k, v in table.items() if v["strict"] and not v["ok"]]
    res["passed"] = not res["failed"]
    return res


def sec_incremental(cfg, ctx):
    from kg import synth
    if "store" not in ctx:
        raise RuntimeError("no store (build unavailable)")
    store, corpus = ctx["store"], ctx["corpus"]
    paths = corpus_paths(corpus, cfg.docs, cfg.docs)
    noop = run_measured(build_args(paths, store, cfg.jobs), cwd=ROOT)
    k = max(1, cfg.docs // 100)
    idx = list(range(0, cfg.docs, max(1, cfg.docs // k)))[:k]
    synth.rewrite(corpus, ctx["expected"], idx, revision=1)
    inc = run_measured(build_args(paths, store, cfg.jobs), cwd=ROOT)
    full = ctx["build_seconds"]
    n_after = _store_len(store)
    return {"unchanged": {"seconds": noop["seconds"], "rc": noop["rc"], "ratio_to_full": round(noop["seconds"] / full, 4),
                          "stderr_tail": noop["stderr_tail"]},
            "changed_1pct": {"documents": len(idx), "seconds": inc["seconds"], "rc": inc["rc"],
                             "peak_rss_mb": inc["peak_rss_mb"], "ratio_to_full": round(inc["seconds"] / full, 4),
                             "stderr_tail": inc["stderr_tail"]},
            "full_seconds": full, "quads_before": ctx["quads"], "quads_after": n_after}


def sec_scaling(cfg, ctx):
    if not cfg.scaling:
        return {"skipped": "BENCH_DOCS < 2000 (set BENCH_SCALING=1 to force)"}
    if "build_seconds" not in ctx:
        raise RuntimeError("no full build")
    n = max(1, cfg.docs // 10)
    store = ctx["work"] / "store-10pct"
    shutil.rmtree(store, ignore_errors=True)
    r = run_measured(build_args(corpus_paths(ctx["corpus"], n, cfg.docs), store, cfg.jobs), cwd=ROOT)
    shutil.rmtree(store, ignore_errors=True)
    return {"small_documents": n, "small_seconds": r["seconds"], "small_peak_rss_mb": r["peak_rss_mb"],
            "full_documents": cfg.docs, "full_seconds": ctx["build_seconds"],
            "ratio": round(ctx["build_seconds"] / r["seconds"], 2), "rc": r["rc"]}


# ---- queries
def named_queries() -> list:
    """(name, bound SPARQL text, default parameters) for every named query (queries/*.rq, via kg.query).

    Parameters are bound to their header defaults as RDF terms (``VALUES`` injected by kg.store.bind),
    so exactly the same query text runs on the store, on pyoxigraph in memory and on rdflib.
    """
    from kg import query as kq
    from kg.store import bind
    out = []
    for q in kq.list_queries():
        b = kq.bindings_for(q, {})
        out.append((q.name, bind(q.text, b) if b else q.text, {p.name: p.default for p in q.params}))
    return out


def reference_queries() -> dict:
    """{name: bound text} of the plain reference forms (tests/reference_queries/NAME.rq: one graph pattern
    per question, the specification the fast forms in queries/ are tested against), same parameters."""
    from kg import query as kq
    from kg.store import bind
    out = {}
    d = ROOT / "tests" / "reference_queries"
    for q in kq.list_queries():
        f = d / f"{q.name}.rq"
        if f.is_file():
            r = kq.parse_header(f.read_text(encoding="utf-8"), q.name, f)
            b = kq.bindings_for(r, {})
            out[q.name] = bind(r.text, b) if b else r.text
    return out


_QUERY_CHILD = r"""
import json, statistics, sys, time
engine, data, qfile, runs, first = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
t0 = time.perf_counter()
if engine == "store":
    from kg.store import Store
    st = Store.open(data, create=False)
    run = lambda q: st.query(q)
    size = len(st)
else:
    from rdflib import Graph
    g = Graph()
    g.parse(data, format="nt")
    run = lambda q: g.query(q)
    size = len(g)
print(json.dumps({"loaded": size, "load_s": time.perf_counter() - t0}), flush=True)
qs = json.load(open(qfile))
for name, q in qs[first:]:
    print(json.dumps({"start": name}), flush=True)
    times, n = [], None
    try:
        for _ in range(runs):
            t1 = time.perf_counter()
            n = sum(1 for _ in run(q))
            times.append((time.perf_counter() - t1) * 1000)
        print(json.dumps({"name": name, "ms": statistics.median(times), "rows": n, "runs": len(times)}), flush=True)
    except Exception as e:
        print(json.dumps({"name": name, "error": (type(e).__name__ + ": " + str(e))[:300]}), flush=True)
"""


def run_queries(engine: str, data, bound: list, runs: int, timeout: float, qfile: Path) -> dict:
    """Run the bound queries in a child process (`engine`: store (a kg store directory) | rdflib
    (an N-Triples file loaded into rdflib's in-memory Graph)).

    A query that has not finished after `timeout` seconds is recorded as timed out, the child is
    killed and a new one continues with the next query (neither engine can be interrupted in-process).
    """
    import queue
    qfile.write_text(json.dumps(bound), encoding="utf-8")
    out = {"queries": {}, "load_s": None, "loaded": None}
    first = 0
    while first < len(bound):
        p = subprocess.Popen([sys.executable, "-c", _QUERY_CHILD, engine, str(data), str(qfile), str(runs), str(first)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        lines: "queue.Queue" = queue.Queue()

        def pump(out=p.stdout, q=lines):      # bound now: a killed child's pump must not feed the next queue
            for x in out:
                q.put(x)
            q.put(None)
        threading.Thread(target=pump, daemon=True).start()
        current, deadline = None, time.monotonic() + max(timeout, 600)    # loading gets its own budget
        while True:
            try:
                line = lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                line = "TIMEOUT"
            if line is None:          # child ended
                first = len(bound) if current is None else first + 1
                if current is not None and current not in out["queries"]:
                    out["queries"][current] = {"error": "child died: " + p.stderr.read()[-300:]}
                break
            if line == "TIMEOUT":
                p.kill()
                if current is None:
                    out["error"] = "loading timed out"
                    first = len(bound)
                else:
                    out["queries"][current] = {"timeout_s": timeout}
                    first = [b[0] for b in bound].index(current) + 1
                break
            d = json.loads(line)
            if "loaded" in d:
                out["loaded"] = d["loaded"]
                out["load_s"] = round(d["load_s"] + (out["load_s"] or 0), 2)
            elif "start" in d:
                current = d["start"]
                deadline = time.monotonic() + timeout
            else:
                out["queries"][d["name"]] = {k: v for k, v in d.items() if k != "name"}
                current = None
                first = [b[0] for b in bound].index(d["name"]) + 1
        p.wait()
    return out


def sec_queries(cfg, ctx):
    import pyoxigraph as ox
    from kg.store import Store
    if "store" not in ctx:
        raise RuntimeError("no store (build unavailable)")
    nqs = named_queries()
    if not nqs:
        raise RuntimeError("no named queries in queries/*.rq")
    bound = [(name, q) for name, q, _ in nqs]
    qfile = ctx["work"] / "queries.json"
    tmo = cfg.query_timeout
    full = run_queries("store", ctx["store"], bound, cfg.query_runs, tmo, qfile)
    res = {"store_quads": full["loaded"], "timeout_s": tmo, "queries": {}}
    for name, _, params in nqs:
        e = full["queries"].get(name, {})
        res["queries"][name] = {"params": params, "store_ms": round(e["ms"], 3) if "ms" in e else None,
                                "rows": e.get("rows")}
        if "timeout_s" in e:
            res["queries"][name]["store_timeout"] = True
        if "error" in e:
            res["queries"][name]["error"] = e["error"]
    # capped comparison on the same data: whole document graphs up to the cap, loaded into a kg
    # store (named graphs + their materialised union, as `kg build` writes it) and, as the
    # union of those graphs (each triple once), into rdflib's in-memory Graph
    st = Store.open(ctx["store"], create=False)
    sub_store = ctx["work"] / "subset-store"
    sub = ctx["work"] / "subset.nt"
    shutil.rmtree(sub_store, ignore_errors=True)
    n = graphs_used = 0
    parts = []
    for g in st.graphs():
        qs = list(st.quads(g))
        if n and n + len(qs) > cfg.rdflib_cap:
            break
        parts.append((ox.serialize(qs, None, ox.RdfFormat.N_QUADS), g, len(qs)))
        n += len(qs)
        graphs_used += 1
    st.close()
    sst = Store.open(sub_store)
    with sst.writer() as w:
        w.load_nquads(parts)
    del parts
    sst.dump(sub, "ntriples")
    triples = sst.union_len()
    sst.close()
    res["subset"] = {"quads": n, "graphs": graphs_used, "cap": cfg.rdflib_cap, "triples": triples}
    # rdflib runs both the fast form (queries/, written for pyoxigraph's planner) and the plain reference
    # form (tests/reference_queries/); the speed-up is against the faster of the two, so rewriting a query
    # for our engine cannot inflate it
    refs = reference_queries()
    bound_ref = [(name + "@reference", refs[name]) for name, _ in bound if name in refs]
    rtmo = cfg.rdflib_query_timeout
    mem = run_queries("store", sub_store, bound + bound_ref, cfg.query_runs, tmo, qfile)
    rdf = run_queries("rdflib", sub, bound + bound_ref, max(1, cfg.query_runs // 2), rtmo, qfile)
    res["rdflib"] = {"load_s": rdf["load_s"], "loaded": rdf["loaded"], "timeout_s": rtmo}
    for name, e in res["queries"].items():
        a, b = mem["queries"].get(name, {}), rdf["queries"].get(name, {})
        ar, br = mem["queries"].get(name + "@reference", {}), rdf["queries"].get(name + "@reference", {})
        if "ms" in a:
            e.update(subset_store_ms=round(a["ms"], 3), subset_rows=a["rows"])
        elif "timeout_s" in a:
            e["subset_timeout"] = True
        if "ms" in ar:
            e["subset_store_reference_ms"] = round(ar["ms"], 3)
        for key, r in (("rdflib", b), ("rdflib_reference", br)):
            if "ms" in r:
                e[f"{key}_ms"] = round(r["ms"], 3)
                e[f"{key}_rows"] = r["rows"]
            elif "timeout_s" in r:
                e[f"{key}_timeout"] = True
            elif "error" in r:
                e[f"{key}_error"] = r["error"]
        done = [e[k] for k in ("rdflib_ms", "rdflib_reference_ms") if e.get(k) is not None]
        rows = [e[k] for k in ("rdflib_rows", "rdflib_reference_rows") if e.get(k) is not None]
        if rows:
            e["same_rows"] = all(n == e.get("subset_rows") for n in rows)
        if done:
            e["rdflib_best_ms"] = min(done)
        else:
            e["rdflib_timeout"] = bool(e.get("rdflib_timeout") or e.get("rdflib_reference_timeout"))
        if e.get("subset_store_ms") and e.get("rdflib_best_ms"):
            e["speedup"] = round(e["rdflib_best_ms"] / max(e["subset_store_ms"], 1e-3), 1)
        elif e.get("subset_store_ms") and e.get("rdflib_timeout"):
            e["speedup_at_least"] = round(rtmo * 1000 / max(e["subset_store_ms"], 1e-3), 1)
    sp = [e["speedup"] for e in res["queries"].values() if e.get("speedup") is not None]
    ms = [e["store_ms"] for e in res["queries"].values() if e.get("store_ms") is not None]
    res["summary"] = {"max_store_ms": max(ms) if ms else None,
                      "median_store_ms": statistics.median(ms) if ms else None,
                      "store_timeouts": [k for k, e in res["queries"].items() if e.get("store_timeout")],
                      "min_speedup": min(sp) if sp else None, "median_speedup": statistics.median(sp) if sp else None}
    sub.unlink(missing_ok=True)
    shutil.rmtree(sub_store, ignore_errors=True)
    return res


# ---- SHACL
def sec_shacl(cfg, ctx):
    if "store" not in ctx:
        raise RuntimeError("no store (build unavailable)")
    if not kg_has_command("validate"):
        raise RuntimeError("`kg validate` is not available yet")
    res = {}
    full = run_measured(KG + ["validate", "--store", str(ctx["store"])], cwd=ROOT, timeout=cfg.rdflib_timeout)
    res["store"] = {"quads": ctx.get("quads"), "seconds": full["seconds"], "peak_rss_mb": full["peak_rss_mb"],
                    "rc": full["rc"], "stderr_tail": full["stderr_tail"][-800:]}
    # capped subset: kg validate FILE vs pyshacl whole-graph
    import pyoxigraph as ox
    from kg.store import Store
    st = Store.open(ctx["store"], create=False)
    sub = ctx["work"] / "shacl-subset.nq"
    quads = []
    gs = [g for g in st.graphs() if "/document/" in g][: cfg.shacl_docs]
    for g in gs:
        quads.extend(st.quads(g))
    st.close()
    with open(sub, "wb") as fh:
        ox.serialize(quads, fh, ox.RdfFormat.N_QUADS)
    ours = run_measured(KG + ["validate", str(sub)], cwd=ROOT, timeout=cfg.rdflib_timeout)
    shapes = sorted((ROOT / "shapes").glob("*.ttl"))
    ont = sorted((ROOT / "ontology").glob("*.ttl"))
    child = r"""
import sys, time, json
from rdflib import Dataset, Graph
from pyshacl import validate
ds = Dataset(); ds.parse(sys.argv[1], format="nquads")
g = Graph()
for s, p, o, c in ds.quads((None, None, None, None)):
    g.add((s, p, o))
sh = Graph()
for f in json.loads(sys.argv[2]):
    sh.parse(f)
ont = Graph()
for f in json.loads(sys.argv[3]):
    ont.parse(f)
t0 = time.perf_counter()
conforms, rg, text = validate(g, shacl_graph=sh, ont_graph=ont if len(ont) else None, inference="none")
from rdflib.namespace import SH
n = len(list(rg.subjects(predicate=SH.resultSeverity)))
print(json.dumps({"seconds": time.perf_counter() - t0, "conforms": conforms, "violations": n, "triples": len(g)}))
"""
    base = run_measured([sys.executable, "-c", child, str(sub), json.dumps([str(s) for s in shapes]),
                         json.dumps([str(o) for o in ont])], timeout=cfg.rdflib_timeout)
    bres = {}
    try:
        bres = json.loads(base["stdout_tail"].strip().splitlines()[-1])
    except Exception:
        bres = {"error": base["stderr_tail"][-500:]}
    res["subset"] = {"documents": len(gs), "quads": len(quads),
                     "kg_validate": {"seconds": ours["seconds"], "rc": ours["rc"],
                                     "stdout_tail": ours["stdout_tail"][-300:], "stderr_tail": ours["stderr_tail"][-300:]},
                     "pyshacl_whole_graph": {**bres, "wall_seconds": base["seconds"],
                                             "peak_rss_mb": base["peak_rss_mb"]}}
    if bres.get("seconds"):
        res["subset"]["pyshacl_projected_10M_s"] = round(bres["seconds"] * 10_000_000 / max(1, len(quads)), 1)
    sub.unlink(missing_ok=True)
    return res


# ---- export
_NX_CHILD = r"""
import sys, time, json
import networkx as nx
from kg.store import Store
from kg.views import make_view
t0 = time.perf_counter()
st = Store.open(sys.argv[1], create=False)
v = make_view(st, "entities")
G = nx.MultiDiGraph()
for n in v.nodes():
    G.add_node(n.id, label=n.label, **{k: x for k, x in n.attrs.items() if x is not None})
for e in v.edges():
    G.add_edge(e.source, e.target, weight=e.weight, **{k: x for k, x in e.attrs.items() if x is not None})
t1 = time.perf_counter()
nx.write_gexf(G, sys.argv[2])
t2 = time.perf_counter()
print(json.dumps({"nodes": G.number_of_nodes(), "edges": G.number_of_edges(), "view_s": t1 - t0, "write_s": t2 - t1}))
"""


def sec_export(cfg, ctx):
    if "store" not in ctx:
        raise RuntimeError("no store (build unavailable)")
    out = ctx["work"] / "entities.gexf"
    ours = run_measured(KG + ["export", "--format", "gexf", "-o", str(out), "--store", str(ctx["store"])], cwd=ROOT,
                        timeout=cfg.rdflib_timeout)
    size = out.stat().st_size if out.exists() else None
    out2 = ctx["work"] / "entities-nx.gexf"
    base = run_measured([sys.executable, "-c", _NX_CHILD, str(ctx["store"]), str(out2)], cwd=ROOT,
                        timeout=cfg.rdflib_timeout)
    try:
        b = json.loads(base["stdout_tail"].strip().splitlines()[-1])
    except Exception:
        b = {"error": base["stderr_tail"][-500:]}
    r = {"kg_export": {"seconds": ours["seconds"], "peak_rss_mb": ours["peak_rss_mb"], "rc": ours["rc"],
                       "bytes": size, "stderr_tail": ours["stderr_tail"][-400:]},
         "networkx_write_gexf": {**b, "seconds": base["seconds"], "peak_rss_mb": base["peak_rss_mb"],
                                 "rc": base["rc"]}}
    if base["seconds"] and ours["seconds"]:
        r["time_ratio_nx_over_kg"] = round(base["seconds"] / ours["seconds"], 2)
        r["rss_ratio_nx_over_kg"] = round(base["peak_rss_mb"] / max(ours["peak_rss_mb"], 1), 2)
    for f in (out, out2):
        f.unlink(missing_ok=True)
    return r


# ---- profile
def sec_profile(cfg, ctx):
    if cfg.profile_docs <= 0:
        return {"skipped": "BENCH_PROFILE_DOCS=0"}
    from pyinstrument import Profiler
    from kg.pipeline import parse
    from kg.sources import read_source
    try:
        from kg.mapping import map_document
    except Exception:
        map_document = None
    files = doc_files(ctx["corpus"], min(cfg.profile_docs, cfg.docs))
    prof = Profiler(interval=0.001)
    prof.start()
    n = 0
    for f in files:
        d = parse(read_source(f))
        if map_document is not None:
            for _ in map_document(d):
                n += 1
    prof.stop()
    text = prof.output_text(unicode=True, color=False, show_all=False)
    (cfg.report_dir / "profile.txt").write_text(text, encoding="utf-8")
    # self time per function and per module (a frame's time minus its children's)
    top, mods = {}, {}
    def walk(frame, parent_key, parent_mod):
        if frame is None:
            return
        synthetic = frame.function.startswith("[")
        fname = Path(frame.file_path or "?")
        key = parent_key if synthetic else f"{frame.function} ({fname.name}:{frame.line_no})"
        self_t = frame.time - sum(c.time for c in frame.children)
        top[key] = top.get(key, 0.0) + self_t
        if synthetic or str(fname).startswith("<"):
            mod = parent_mod      # self time and C built-ins count for the Python module that called them
        elif "kg" in fname.parts:
            mod = "kg/" + "/".join(fname.parts[fname.parts.index("kg") + 1:])
        else:
            mod = "/".join(fname.parts[-2:])
        mods[mod] = mods.get(mod, 0.0) + self_t
        for c in frame.children:
            walk(c, key, mod)
    try:
        walk(prof.last_session.root_frame(), "root", "?")
    except Exception as e:
        top = {f"(profile walk failed: {e})": 0.0}
    total = sum(top.values()) or 1
    best = sorted(top.items(), key=lambda kv: -kv[1])[:15]
    mtotal = sum(mods.values()) or 1
    return {"documents": len(files), "quads": n, "profile_file": str(cfg.report_dir / "profile.txt"),
            "seconds": round(total, 2),
            "tree": "\n".join(text.splitlines()[:60]),
            "top_self_time": [{"function": k, "seconds": round(v, 3), "share": round(v / total, 3)} for k, v in best],
            "by_module": [{"module": k, "seconds": round(v, 3), "share": round(v / mtotal, 3)}
                          for k, v in sorted(mods.items(), key=lambda kv: -kv[1])[:12]]}


# --------------------------------------------------------------------------- report
def fmt(v, unit=""):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.1f}{unit}" if abs(v) >= 10 else f"{v:.3g}{unit}"
    return f"{v}{unit}"


def verdict(ok):
    return "–" if ok is None else ("yes" if ok else "**no**")


def write_md(rep: dict, path: Path):
    S = rep["sections"]
    m = rep["machine"]
    L = [f"# kg benchmark: {rep['config']['docs']:,} synthetic documents", "",
         f"Run {m['date_utc']} UTC on {m['cpu']}, {m['cores_logical']} logical cores, {m['ram_gb']} GB RAM, "
         f"Python {m['python']} ({m['platform']}). Packages: "
         + ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v) + ".", "",
         f"Total bench wall time {rep['total_seconds']:.0f} s. Load average (1/5/15 min) at start "
         f"{m.get('loadavg_at_start')}, at end {m.get('loadavg_at_end')}: other processes on this 2-core machine "
         f"share the CPU, so absolute numbers are pessimistic when the load is above ~0.2. "
         f"Sections that could not run say why. Code: commit {m.get('commit') or '?'}.", ""]
    if rep.get("resumed"):
        r = rep["resumed"]
        mb = r["machine_before"]
        L += [f"This run finished an interrupted one: sections {', '.join(r['sections_kept'])} were measured from "
              f"{mb['date_utc']} UTC (commit {mb.get('commit') or '?'}, load average at start "
              f"{mb.get('loadavg_at_start')}), the others from {m['date_utc']} UTC (commit {m.get('commit') or '?'}) "
              f"on the same corpus and store.", ""]
    syn = S.get("synth", {})
    if "seconds" in syn:
        L += [f"Corpus: `kg synth --docs {rep['config']['docs']} --seed {rep['config']['seed']}` "
              f"in {syn['seconds']} s ({fmt(syn['docs_per_s'])} docs/s), mean document {syn['mean_doc_kb']} KB.", ""]
    L += ["## Targets", "", "| measure | value | target | met |", "|---|---|---|---|"]
    b = S.get("build", {})
    t = TARGETS
    rows = []
    if "docs_per_s" in b:
        rows.append(("documents/s end to end (`kg build`)", fmt(b["docs_per_s"]), f">= {t['docs_per_s']}",
                     verdict(b["docs_per_s"] >= t["docs_per_s"])))
        rows.append(("projected time for 100k documents", fmt(b["projected_100k_s"], " s"), f"<= {t['seconds_100k']} s",
                     verdict(b["projected_100k_s"] <= t["seconds_100k"])))
        rows.append(("peak RSS of the build (process tree)", fmt(b["peak_rss_mb"], " MB"), f"<= {t['peak_rss_mb']} MB",
                     verdict(b["peak_rss_mb"] <= t["peak_rss_mb"])))
    sc = S.get("scaling", {})
    if "ratio" in sc:
        rows.append((f"time({sc['full_documents']:,}) / time({sc['small_documents']:,})", fmt(sc["ratio"]),
                     f"<= {t['scaling_ratio']}", verdict(sc["ratio"] <= t["scaling_ratio"])))
    inc = S.get("incremental", {})
    if "changed_1pct" in inc:
        r = inc["changed_1pct"]["ratio_to_full"]
        rows.append(("rebuild with 1 % changed / full build", fmt(r), f"about 0.01 (<= {t['incremental_ratio']})",
                     verdict(r <= t["incremental_ratio"])))
    q = S.get("queries", {}).get("summary", {})
    if q.get("store_timeouts"):
        rows.append(("named queries that did not finish on the store", ", ".join(q["store_timeouts"]),
                     f"none (timeout {S['queries']['timeout_s']} s)", verdict(False)))
    if q.get("max_store_ms") is not None:
        rows.append((f"slowest finished named query, median (store of {S['queries']['store_quads']:,} quads)",
                     fmt(q["max_store_ms"], " ms"), f"<= {t['query_ms']} ms at 10M", verdict(q["max_store_ms"] <= t["query_ms"])))
    if q.get("min_speedup") is not None:
        rows.append(("smallest speed-up vs rdflib (same subset)", fmt(q["min_speedup"], "x"), f">= {t['query_speedup']}x",
                     verdict(q["min_speedup"] >= t["query_speedup"])))
    sh = S.get("shacl", {})
    if "store" in sh:
        secs, nq = sh["store"]["seconds"], sh["store"].get("quads")
        if nq:
            # kg validate checks graph by graph, so its time is linear in the quads: project to 10M
            per10m = secs * 10_000_000 / nq
            rows.append((f"`kg validate` of the whole store ({fmt(nq)} quads; linear projection to 10M)",
                         f"{fmt(secs, ' s')}; {fmt(per10m, ' s')} per 10M", f"<= {t['shacl_s']} s at 10M",
                         verdict(per10m <= t["shacl_s"]) + (" (projected)" if nq < 9_000_000 or nq > 11_000_000 else "")))
        else:
            rows.append(("`kg validate` of the whole store", fmt(secs, " s"), f"<= {t['shacl_s']} s at 10M",
                         verdict(secs <= t["shacl_s"])))
    ex = S.get("export", {})
    if "kg_export" in ex:
        k = ex["kg_export"]
        rows.append(("GEXF export (entities view)", f"{fmt(k['seconds'], ' s')}, {fmt(k['peak_rss_mb'], ' MB')}",
                     f"<= {t['gexf_s']} s, <= {t['gexf_rss_mb']} MB",
                     verdict(k["seconds"] <= t["gexf_s"] and k["peak_rss_mb"] <= t["gexf_rss_mb"])))
    cnt = S.get("counts", {})
    if "passed" in cnt:
        rows.append(("graph counts equal expected.json", ", ".join(cnt.get("failed", [])) or "all equal", "all equal",
                     verdict(cnt["passed"])))
    L += [f"| {a} | {b_} | {c} | {d} |" for a, b_, c, d in rows]
    L += ["", "Targets stated for 100k documents / 10M triples are only met or missed in a run of that size; "
          "smaller runs show the projection.", ""]
    if "docs_per_s" in b:
        L += ["## End-to-end build", "",
              f"`kg build` on {b['documents']:,} documents with {b['jobs']} jobs: {b['seconds']} s, "
              f"{fmt(b['docs_per_s'])} documents/s, {b['quads']:,} quads, {fmt(b['triples_per_s'])} triples/s, "
              f"peak RSS {b['peak_rss_mb']} MB.", ""]
    st = S.get("stages", {})
    if "seconds" in st:
        L += ["## Time per stage (one process, sample)", "",
              f"{st['documents']:,} documents, {st.get('quads', '–')} quads ({st.get('quads_per_doc', '–')} per document); "
              f"single-core pipeline {fmt(st['single_core_docs_per_s'])} documents/s. map = N-Quads bytes as the "
              f"build's workers write them; load = bulk loads of those bytes into the named graphs and of their "
              f"triples into the materialised union, as the build's parent process does.", "",
              "| stage | seconds | documents/s | share | CPU s |", "|---|---|---|---|---|"]
        for k, v in st["seconds"].items():
            L.append(f"| {k} | {v} | {fmt(st['docs_per_s'].get(k))} | {st['share'].get(k, 0) * 100:.1f} % | "
                     f"{st.get('cpu_seconds', {}).get(k, '–')} |")
        if "store" in sh:
            L.append(f"| validate (`kg validate --store`, whole store) | {sh['store']['seconds']} | "
                     f"{fmt(rep['config']['docs'] / sh['store']['seconds']) if sh['store']['seconds'] else '–'} | – |")
        if "kg_export" in ex:
            L.append(f"| export (`kg export --format gexf`, whole store) | {ex['kg_export']['seconds']} | "
                     f"{fmt(rep['config']['docs'] / ex['kg_export']['seconds']) if ex['kg_export']['seconds'] else '–'} | – |")
        for k in ("map_error",):
            if k in st:
                L.append(f"\n{k}: {st[k]}")
        L.append("")
        if st.get("ceiling_docs_per_s"):
            L += [f"**Ceiling.** The stages cost {st['cpu_ms_per_doc']} ms of CPU per document; with every stage "
                  f"running in parallel on all {st['cores']} cores, nothing else running and no hand-over cost, a "
                  f"build could do at most {fmt(st['ceiling_docs_per_s'])} documents/s (target 500).", ""]
        lf = st.get("load_floor")
        if lf:
            a, b2 = lf["named_only"], lf["named_and_union"]
            L += [f"**Loading floor.** pyoxigraph's bulk loader, one call into an empty store, same bytes "
                  f"({lf['nquads_bytes_per_doc']:,} N-Quads bytes per document): named graphs alone "
                  f"{a['cpu_ms_per_doc']} ms CPU per document ({fmt(a['docs_per_s_per_core'])} documents/s per core), "
                  f"named graphs + union {b2['cpu_ms_per_doc']} ms ({fmt(b2['docs_per_s_per_core'])} documents/s per "
                  f"core). At 500 documents/s on {st['cores']} cores the whole pipeline has "
                  f"{1000 * st['cores'] / 500:.1f} ms of CPU per document.", ""]
    if "unchanged" in inc:
        L += ["## Incremental rebuild", "",
              f"Full build {inc['full_seconds']} s. Rebuild with nothing changed: {inc['unchanged']['seconds']} s "
              f"(ratio {inc['unchanged']['ratio_to_full']}). Rebuild with {inc['changed_1pct']['documents']} documents "
              f"(1 %) changed: {inc['changed_1pct']['seconds']} s (ratio {inc['changed_1pct']['ratio_to_full']}). "
              f"Quads before/after: {inc['quads_before']:,} / {inc['quads_after']:,}.", ""]
    if "table" in cnt or "readback" in cnt:
        L += ["## Correctness at scale: counts", ""]
        rb = cnt.get("readback", {})
        if rb:
            L += [f"Parser read-back of {rb['documents']:,} documents against the manifest (municipality, committee, "
                  f"date, item numbers): {rb['ok']:,} exact.", ""]
            for k, v in sorted(rb["mismatches"].items()):
                L.append(f"- `{k}`: {v['n']} (e.g. `{v['example']['path']}`: expected `{v['example']['expected']}`, "
                         f"got `{v['example']['got']}`)")
            L.append("")
        if "table" in cnt:
            L += ["| count | expected | graph | equal | deviation | checked |", "|---|---|---|---|---|---|"]
            for k, v in cnt["table"].items():
                if k.startswith("kind:"):
                    continue
                dev = f"{v['deviation'] * 100:+.1f} %" if v.get("deviation") is not None else "–"
                L.append(f"| {k} | {fmt(v['expected'])} | {fmt(v['graph'])} | {verdict(v['ok'])} | {dev} | "
                         f"{'strict' if v['strict'] else 'info'} |")
            L.append("")
    qs = S.get("queries", {})
    if "queries" in qs:
        sub = qs.get("subset", {})
        L += ["## Named queries", "",
              f"Median of {rep['config']['query_runs']} runs on the store ({qs['store_quads']:,} quads in named "
              f"graphs; queries run on their materialised union, the default graph). The rdflib comparison runs on "
              f"the same data: {sub.get('quads', 0):,} quads ({sub.get('graphs')} document graphs, "
              f"cap {sub.get('cap'):,}) built into a kg store, and their union ({fmt(sub.get('triples'))} triples) "
              f"loaded into rdflib's in-memory Graph (load {qs.get('rdflib', {}).get('load_s')} s).", "",
              "rdflib runs two forms of each query, the one in `queries/` (written for pyoxigraph's planner) and the "
              "plain reference form in `tests/reference_queries/` (the specification the fast form is tested "
              "against); the speed-up is against the faster of the two. \"kg store, reference\" shows what the "
              "rewrite bought on our engine.", "",
              "| query | store ms | rows | subset: kg store ms | subset: kg store, reference ms | subset: rdflib ms "
              "(fast form / reference form) | speed-up | same rows |",
              "|---|---|---|---|---|---|---|---|"]
        to = f"> {qs['timeout_s']} s"
        rto = f"> {qs.get('rdflib', {}).get('timeout_s', qs['timeout_s'])} s"
        for name, e in qs["queries"].items():
            sm = to if e.get("store_timeout") else fmt(e.get("store_ms"))
            ss = to if e.get("subset_timeout") else fmt(e.get("subset_store_ms"))
            sr = fmt(e.get("subset_store_reference_ms"))
            rm = fmt(e["rdflib_ms"]) if e.get("rdflib_ms") is not None else (rto if "rdflib_error" not in e else "error")
            rr = fmt(e["rdflib_reference_ms"]) if e.get("rdflib_reference_ms") is not None else (
                rto if e.get("rdflib_reference_timeout") else ("error" if "rdflib_reference_error" in e else "–"))
            sp = fmt(e.get("speedup")) if e.get("speedup") is not None else (
                f">= {fmt(e['speedup_at_least'])}" if e.get("speedup_at_least") else "–")
            L.append(f"| {name} | {sm} | {fmt(e.get('rows'))} | {ss} | {sr} | {rm} / {rr} | {sp} | "
                     f"{verdict(e.get('same_rows'))} |")
            for k in ("error", "rdflib_error", "rdflib_reference_error"):
                if k in e:
                    L.append(f"|  | {k}: {e[k][:120]} | | | | | | |")
        L.append("")
    if "store" in sh:
        s2 = sh.get("subset", {})
        L += ["## SHACL validation", "",
              f"`kg validate --store` on the whole store: {sh['store']['seconds']} s, peak RSS {sh['store']['peak_rss_mb']} MB, "
              f"exit {sh['store']['rc']}.", ""]
        if s2:
            p = s2["pyshacl_whole_graph"]
            L += [f"Subset of {s2['documents']} documents ({s2['quads']:,} quads): `kg validate FILE` "
                  f"{s2['kg_validate']['seconds']} s (exit {s2['kg_validate']['rc']}); pyshacl over the whole graph at once "
                  f"{fmt(p.get('seconds'))} s ({p.get('violations', p.get('error'))} results, conforms {p.get('conforms')}); "
                  f"pyshacl projected to 10M triples: {fmt(s2.get('pyshacl_projected_10M_s'))} s.", ""]
    if "kg_export" in ex:
        k, n = ex["kg_export"], ex["networkx_write_gexf"]
        L += ["## GEXF export", "",
              f"`kg export --format gexf` (entities view): {k['seconds']} s, peak RSS {k['peak_rss_mb']} MB, "
              f"{fmt(k['bytes'])} bytes. networkx (same view rows into a MultiDiGraph, then write_gexf): "
              f"{n['seconds']} s, peak RSS {n['peak_rss_mb']} MB ({n.get('nodes')} nodes, {n.get('edges')} edges).", ""]
    pr = S.get("profile", {})
    if "top_self_time" in pr:
        L += ["## Profile (pyinstrument, one process)", "",
              f"{pr['documents']} documents through parse + entities + map; full tree in "
              f"`{os.path.relpath(pr['profile_file'], ROOT)}`.", "",
              "| function | self s | share |", "|---|---|---|"]
        L += [f"| `{r['function']}` | {r['seconds']} | {r['share'] * 100:.1f} % |" for r in pr["top_self_time"]]
        L += ["", "| module (self time) | s | share |", "|---|---|---|"]
        L += [f"| `{r['module']}` | {r['seconds']} | {r['share'] * 100:.1f} % |" for r in pr["by_module"]]
        L += ["", "```", pr["tree"], "```", ""]
    errs = {k: v["error"] for k, v in S.items() if isinstance(v, dict) and "error" in v}
    if errs:
        L += ["## Sections that did not run", ""]
        L += [f"- **{k}**: {v.splitlines()[0][:300]}" for k, v in errs.items()]
        L.append("")
    from kg.io import atomic_write_text
    atomic_write_text(path, "\n".join(L) + "\n")


def main() -> int:
    cfg = Config()
    cfg.report_dir.mkdir(parents=True, exist_ok=True)
    own_tmp = not cfg.work
    work = Path(cfg.work or tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    ctx = {"work": work, "corpus": work / "corpus"}
    rep = {"config": cfg.as_dict(), "machine": machine(), "targets": TARGETS, "sections": {}}
    if cfg.resume:
        # finish an interrupted run: its report.json and BENCH_WORK (corpus, store) are reused, the sections
        # it completed are kept as they were measured, the others run now (with the code checked out now)
        prev = json.loads(Path(cfg.resume).read_text(encoding="utf-8"))
        kept = {k: v for k, v in prev["sections"].items() if "error" not in v and "skipped" not in v}
        rep["sections"].update(kept)
        rep["resumed"] = {"from": str(cfg.resume), "sections_kept": list(kept), "machine_before": prev["machine"],
                          "config_before": prev["config"], "total_seconds_before": prev.get("total_seconds")}
        ctx["store"] = work / "store"
        b = kept.get("build", {})
        ctx["quads"], ctx["build_seconds"] = b.get("quads"), b.get("seconds")
        if not (ctx["store"] / "current").exists():
            raise SystemExit(f"BENCH_RESUME: no store in {work} (set BENCH_WORK to the interrupted run's)")
    else:
        shutil.rmtree(ctx["corpus"], ignore_errors=True)
    t_all = time.perf_counter()
    order = [("synth", sec_synth), ("stages", sec_stages), ("build", sec_build), ("counts", sec_counts),
             ("incremental", sec_incremental), ("scaling", sec_scaling), ("queries", sec_queries),
             ("shacl", sec_shacl), ("export", sec_export), ("profile", sec_profile)]
    try:
        for name, fn in order:
            if name in rep["sections"]:
                continue                      # kept from the interrupted run (BENCH_RESUME)
            if name in cfg.skip:
                rep["sections"][name] = {"skipped": "BENCH_SKIP"}
                continue
            log(f"{name} ...")
            t0 = time.perf_counter()
            try:
                rep["sections"][name] = fn(cfg, ctx)
            except Exception as e:
                rep["sections"][name] = {"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()[-2000:]}
                log(f"{name}: {type(e).__name__}: {e}")
            rep["sections"][name]["section_seconds"] = round(time.perf_counter() - t0, 2)
            log(f"{name} done in {rep['sections'][name]['section_seconds']} s")
    finally:
        rep["total_seconds"] = round(time.perf_counter() - t_all, 1)
        rep["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
        from kg.io import atomic_write_text
        atomic_write_text(cfg.report_dir / "report.json",
                          json.dumps(rep, ensure_ascii=False, indent=1, default=str) + "\n")
        write_md(rep, cfg.report_dir / "report.md")
        log(f"wrote {cfg.report_dir / 'report.md'} and report.json")
        if own_tmp and not cfg.keep:
            shutil.rmtree(work, ignore_errors=True)
    S = rep["sections"]
    core_failed = any("error" in S.get(k, {}) for k in ("synth", "build", "counts"))
    counts_ok = S.get("counts", {}).get("passed", False)
    return 0 if (not core_failed and counts_ok) else 1


if __name__ == "__main__":
    sys.exit(main())
