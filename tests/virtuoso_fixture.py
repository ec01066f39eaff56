"""Shared helpers for the server tests: a seed store, a `kg serve` subprocess, a throw-away Virtuoso.

Imported by tests/test_serve*.py, tests/test_browser.py and tests/test_virtuoso.py (no conftest.py).
Missing system programs (virtuoso-t, chromium) make the tests FAIL, never skip: CI installs them.
"""
from __future__ import annotations

import configparser
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "minutes"
PY = sys.executable

# A hand-written graph: used when `kg build` is not available, and always for the XSS check.
XSS_LABEL = 'STAR <script>window.__pwned=1</script> & "Co" <img src=x onerror="window.__pwned=2">'
TRIG = """@base <https://w3id.org/kgdk/id/> .
@prefix kg: <https://w3id.org/kgdk/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<document/0000serve0test0> {
  <document/0000serve0test0> a kg:SourceDocument ; rdfs:label "Referat Prøveudvalget 2024-03-06" .
  <municipality/999> a kg:Municipality ; rdfs:label "Prøvekommune" ; kg:code 999 .
  <project/serve-test-project> a kg:Project ; rdfs:label "Prøveprojekt Først" ;
     kg:fundedBy <organization/xss> ; kg:partner <municipality/999> ;
     prov:wasDerivedFrom <document/0000serve0test0> .
  <provenance/0000serve0test0/project/serve-test-project> a kg:Evidence ; kg:about <project/serve-test-project> ;
     kg:document <document/0000serve0test0> ; kg:page 2 ; kg:line 41 ; kg:endLine 44 ; kg:rule "project.funding" .
  <organization/xss> a kg:Organization ; rdfs:label "%s" .
}
""" % XSS_LABEL.replace('"', '\\"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kg_cmd(*args: str) -> list[str]:
    return [PY, "-m", "kg.cli", *args]


def have_build() -> bool:
    if os.environ.get("KG_SERVE_TEST_STORE") == "trig":   # debugging aid: only the hand-written graph
        return False
    try:
        import kg.build  # noqa: F401
    except Exception:
        return False
    r = subprocess.run(kg_cmd("build", "--help"), capture_output=True, text=True, cwd=ROOT)
    return r.returncode == 0


_SEED_CACHE: dict[str, Path] = {}


def build_seed_store(path: Path) -> Path:
    """A store built by `kg build examples/minutes` (the real pipeline), copied to PATH.

    Built once per test process and copied (the copy can be changed by a test without
    affecting the others).
    """
    if "seed" not in _SEED_CACHE:
        import atexit
        import tempfile
        tmp = Path(tempfile.mkdtemp(prefix="kg-seed-store-"))
        atexit.register(shutil.rmtree, tmp, True)
        r = subprocess.run(kg_cmd("build", str(SEEDS), "--store", str(tmp / "store")), capture_output=True,
                           text=True, cwd=ROOT, timeout=600)
        assert r.returncode == 0, f"kg build failed ({r.returncode}): {r.stderr[-2000:]}"
        _SEED_CACHE["seed"] = tmp / "store"
    shutil.copytree(_SEED_CACHE["seed"], path, symlinks=True)
    return path


def trig_store(path: Path, trig: str = TRIG) -> Path:
    """A store holding the hand-written TriG (one named graph per graph block)."""
    import pyoxigraph as ox
    from kg.store import Store

    quads = list(ox.parse(trig.encode("utf-8"), format=ox.RdfFormat.TRIG))
    by_graph: dict[str, list] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name.value, []).append(q)
    st = Store.open(path, create=True)
    st.replace_graphs(by_graph)
    st.close()
    return path


def add_trig(path: Path, trig: str = TRIG) -> None:
    """Add the hand-written graphs to an existing store (keeps what is there)."""
    import pyoxigraph as ox
    from kg.store import Store

    by_graph: dict[str, list] = {}
    for q in ox.parse(trig.encode("utf-8"), format=ox.RdfFormat.TRIG):
        by_graph.setdefault(q.graph_name.value, []).append(q)
    st = Store.open(path, create=False)
    st.replace_graphs(by_graph)
    st.close()


def http_get(url: str, accept: str | None = None, timeout: float = 30) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None,
         timeout: float = 30) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


class KGServe:
    """`kg serve` as a real subprocess on a free loopback port (port 0, read back from its banner)."""

    def __init__(self, store: Path, *args: str):
        self.proc = subprocess.Popen(kg_cmd("serve", "--store", str(store), "--port", "0", "--quiet", *args),
                                     cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.base = None
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                if self.proc.poll() is not None:
                    break
                continue
            lines.append(line)
            m = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
            if m:
                self.base = m.group(1)
                break
        if not self.base:
            self.stop()
            raise RuntimeError("kg serve did not start: " + "".join(lines))
        self.endpoint = self.base + "/sparql"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stderr:
            self.proc.stderr.close()


# --------------------------------------------------------------------------- comparing results of two stores
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "int", "long", "short", "byte", "decimal", "double", "float",
                             "nonNegativeInteger", "positiveInteger", "unsignedInt", "unsignedLong")}


def norm(t):
    """An RDF term as a comparable value, tolerant of the known store differences.

    Differences seen with Virtuoso 7.2 and normalised here (same value, other form):
    plain vs xsd:string literals; lexical forms of numbers; booleans as 0/1; xsd:duration
    returned as a number of months ("P1Y" -> "12"); GROUP_CONCAT over an empty group,
    which pyoxigraph leaves unbound where Virtuoso returns "" (the SPARQL spec says ""); and the
    order of GROUP_CONCAT parts, which SPARQL leaves undefined (strings are compared as the sorted
    list of their " | ", ", " or "; " separated parts).
    """
    if t is None:
        return None
    if isinstance(t, ox.Literal):
        dt = t.datatype.value if t.datatype is not None else XSD + "string"
        if dt == XSD + "string" and t.value == "" and not t.language:
            return None
        if dt == XSD + "duration":
            m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?", t.value)
            if m and t.value != "P":
                return ("months", int(m.group(1) or 0) * 12 + int(m.group(2) or 0))
            if re.fullmatch(r"\d+", t.value):
                return ("months", int(t.value))
        if t.language:
            return ("lit", t.value, "@" + t.language.lower())
        if dt in NUMERIC:
            try:
                return ("num", Decimal(t.value).normalize())
            except InvalidOperation:
                return ("lit", t.value, dt)
        if dt == XSD + "boolean":
            return ("bool", t.value in ("true", "1"))
        if dt == XSD + "string" and not t.language:
            for sep in (" | ", ", ", "; "):   # the separators the named queries' GROUP_CONCATs use
                if sep in t.value:
                    return ("lit", sep.join(sorted(t.value.split(sep))), dt)
        return ("lit", t.value, dt)
    return (type(t).__name__, t.value)


def rows(result) -> Counter:
    if isinstance(result, ox.QueryBoolean):
        return Counter([("boolean", bool(result))])
    names = [v.value for v in result.variables]
    return Counter(tuple(norm(s[n]) for n in names) for s in result)


# --------------------------------------------------------------------------- Virtuoso
VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


class Virtuoso:
    """A throw-away Virtuoso 7 (Debian virtuoso-opensource) in `workdir` on free loopback ports."""

    def __init__(self, workdir: Path):
        exe = shutil.which("virtuoso-t")
        assert exe, "virtuoso-t not found: install the Debian package virtuoso-opensource (.ci/run does)"
        assert VIRTUOSO_INI.is_file(), f"{VIRTUOSO_INI} missing (virtuoso-opensource not installed?)"
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.sql_port, self.http_port = free_port(), free_port()
        cfg = configparser.RawConfigParser(strict=False, inline_comment_prefixes=(";",))
        cfg.optionxform = str
        cfg.read(VIRTUOSO_INI)
        d = self.dir
        cfg["Database"].update({"DatabaseFile": str(d / "virtuoso.db"), "ErrorLogFile": str(d / "virtuoso.log"),
                                "LockFile": str(d / "virtuoso.lck"), "TransactionFile": str(d / "virtuoso.trx"),
                                "xa_persistent_file": str(d / "virtuoso.pxa")})
        cfg["TempDatabase"].update({"DatabaseFile": str(d / "virtuoso-temp.db"),
                                    "TransactionFile": str(d / "virtuoso-temp.trx")})
        cfg["Parameters"]["ServerPort"] = f"127.0.0.1:{self.sql_port}"
        cfg["Parameters"]["NumberOfBuffers"] = "10000"
        cfg["Parameters"]["MaxDirtyBuffers"] = "6000"
        cfg["Parameters"]["DirsAllowed"] = f"., {d}, /usr/share/virtuoso-opensource-7/vad"
        cfg["HTTPServer"]["ServerPort"] = f"127.0.0.1:{self.http_port}"
        self.ini = d / "virtuoso.ini"
        with open(self.ini, "w") as f:
            cfg.write(f)
        self.log = open(d / "stdout.log", "w")
        self.proc = subprocess.Popen([exe, "+configfile", str(self.ini), "+foreground"], cwd=d,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.endpoint = self.base + "/sparql"
        self.update_endpoint = self.base + "/sparql-auth"
        self.graph_store = self.base + "/sparql-graph-crud-auth"
        self._wait()

    def _wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("virtuoso exited: " + self.logtext())
            try:
                st, _, _ = http_get(self.endpoint + "?query=ASK%7B%7D", timeout=2)
                if st == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError("virtuoso did not answer in time: " + self.logtext())

    def drop_graphs_except(self, keep, prefix: str = "https://w3id.org/kgdk/") -> list[str]:
        """Drop every graph under `prefix` that is not in `keep` (left by other tests); returns them.

        The tests share one Virtuoso per module; a comparison with a store must see only that
        store's graphs (Virtuoso's own system graphs are outside `prefix`).
        """
        from kg.remote import _opener, _request, remote_query
        keep = set(keep)
        res = remote_query(self.endpoint, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        stray = sorted(s["g"].value for s in res if s["g"].value.startswith(prefix) and s["g"].value not in keep)
        opener = _opener(self.update_endpoint, "dba", "dba")
        for g in stray:
            _request(opener, "POST", self.update_endpoint, f"DROP SILENT GRAPH <{g}>".encode("ascii"),
                     "application/sparql-update")
        return stray

    def logtext(self) -> str:
        p = self.dir / "virtuoso.log"
        return p.read_text(errors="replace")[-3000:] if p.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()
