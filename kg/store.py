"""The embedded on-disk RDF store (pyoxigraph/RocksDB) with atomic, locked writes.

Layout of a store directory (``./kg-store`` by default, or ``$KG_STORE``)::

    kg-store/
      KG-STORE        marker file (layout version, human-readable note)
      lock            flock(2) file: one writer at a time
      current   ->    v-000007      symlink to the live version (swapped atomically)
      v-000007/       RocksDB directory of the live version (never written again)
      v-000006/       the previous version (kept so readers that just opened it finish)

Reads open ``current`` read-only: a version directory is immutable once it is
live, so readers always see a complete snapshot. A write (:meth:`Store.writer`)

1. takes an exclusive non-blocking ``flock`` on ``lock`` (a second writer gets
   :class:`StoreLocked` with a clear message, or waits with ``wait=True``);
2. checkpoints the live version into ``v-<n+1>`` with ``Store.backup()``
   (RocksDB checkpoint: hard links, cheap whatever the size);
3. applies removals and bulk loads there, flushes and closes it;
4. atomically replaces the ``current`` symlink (``rename(2)``) and fsyncs the directory;
5. deletes versions older than the previous one and any orphan of a killed writer.

A process killed before step 4 leaves ``current`` untouched (the orphan is
removed by the next writer); after step 4 the new version is complete. The
lock is released by the kernel when the process dies.

The default graph is the union of all named graphs, materialised and deduplicated:
every :class:`Writer` change to a named graph is mirrored into it (a triple leaves the
default graph when the last named graph holding it loses it). Queries run on it
directly. pyoxigraph's ``use_default_graph_as_union`` view would return a triple once
per named graph holding it, so an entity named in 500 documents' graphs made every
join over its label or type 500 times larger (four named queries took over 30 s on
2,000 documents; 0.04-0.7 s on the materialised union). Exports and pushes send the
named graphs only; the default graph is derived data.

The schema version lives in the store itself (meta graph, ``kg:schemaVersion``).
A store written by an older ``kg`` is refused for reading with a clear
message; ``kg build`` rebuilds it from scratch.

Query parameters are pre-bound as RDF terms (:func:`bind`, SEP-0007 semantics):
each occurrence of the variable in the WHERE clause is replaced by the term as
serialised (escaped) by pyoxigraph; no other text from the user enters a query.
"""
from __future__ import annotations

import errno
import fcntl
import gc
import os
import re
import shutil
import threading
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Optional, Union

import pyoxigraph as ox

from . import iris

SCHEMA_VERSION = 2          # 2: default graph = materialised union of the named graphs
LAYOUT = "kg-store layout 1"
DEFAULT_PATH = "kg-store"
MANIFEST_NAME = "kg-version.jsonl"  # per version: quad count and source-file hints (see Store.file_hints)

DEFAULT_GRAPH = ox.DefaultGraph()
_DOCUMENT_PREFIX = iris.document("0" * 64)[:-16]     # document graphs: kgd:document/<hash>
_VERSION_RE = re.compile(r"^v-(\d{6,})$")
_LOCAL_GUARD = threading.Lock()
_LOCAL_LOCKS: set[str] = set()


class StoreError(Exception):
    """A store problem. ``str(err)`` is one line naming the store and the problem."""


class StoreLocked(StoreError):
    """Another process is writing the store."""


class StoreVersionError(StoreError):
    """The store was written by another schema version of kg."""


def default_path() -> Path:
    return Path(os.environ.get("KG_STORE") or DEFAULT_PATH)


# --------------------------------------------------------------------------- terms and binding
Term = Union[ox.NamedNode, ox.Literal, ox.BlankNode]


def to_term(value) -> Term:
    """A Python value as an RDF term: terms pass through; str -> plain literal; bool/int/Decimal/float typed."""
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(iris_xsd("boolean")))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(iris_xsd("integer")))
    if isinstance(value, Decimal):
        return ox.Literal(format(value, "f"), datatype=ox.NamedNode(iris_xsd("decimal")))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(iris_xsd("double")))
    if isinstance(value, str):
        return ox.Literal(value)
    raise TypeError(f"cannot bind {type(value).__name__} as an RDF term")


def iris_xsd(local: str) -> str:
    return "http://www.w3.org/2001/XMLSchema#" + local


def term_to_sparql(term: Term) -> str:
    """SPARQL/N-Triples serialisation of one term (escaped by pyoxigraph)."""
    if isinstance(term, ox.BlankNode):
        raise ValueError("blank nodes cannot be bound as query parameters")
    return str(term)


_IRI_RE = re.compile(r'<[^<>"{}|^`\\\s]*>')


def _scan(query: str) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, token) for `{`, `}`, bare words and variables (``?x``/``$x``), skipping
    strings, IRIs and comments."""
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c == "#":
            j = query.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c in "\"'":
            q3 = query[i:i + 3]
            if q3 in ('"""', "'''"):
                j = query.find(q3, i + 3)
                i = n if j < 0 else j + 3
                continue
            j = i + 1
            while j < n and query[j] != c:
                j += 2 if query[j] == "\\" else 1
            i = j + 1
            continue
        if c == "<":
            m = _IRI_RE.match(query, i)
            if m:
                i = m.end()
                continue
        if c in "{}":
            yield i, i + 1, c
            i += 1
            continue
        if c in "?$" and i + 1 < n and (query[i + 1].isalnum() or query[i + 1] == "_"):
            j = i + 1
            while j < n and (query[j].isalnum() or query[j] == "_"):
                j += 1
            yield i, j, query[i:j]
            i = j
            continue
        if c.isalpha():
            j = i
            while j < n and (query[j].isalnum() or query[j] in "_:-"):
                j += 1
            yield i, j, query[i:j]
            i = j
            continue
        i += 1


def bind(query: str, bindings: Optional[Mapping] = None) -> str:
    """Pre-bind query variables to RDF terms (the semantics of SPARQL SEP-0007 substitution).

    ``bindings`` maps variable names (``"funder"``, ``"?funder"`` or a ``Variable``) to RDF terms (or
    Python values, see :func:`to_term`). Every occurrence of the variable inside the query's WHERE
    clause (nested groups, FILTERs and UNION branches included, so stores can use their indexes) is
    replaced by the term as serialised by pyoxigraph: a value like ``"} ; DROP ALL ; #`` stays one
    escaped string literal. Everything from the first ``{`` on is bound (the WHERE clause with nested
    groups, a CONSTRUCT template, HAVING); the SELECT projection is left alone. So a parameter must not
    appear in a projection, GROUP BY or ORDER BY, nor be the target of ``AS``. The same function serves
    the embedded store and remote endpoints (kg.remote), so both run the same query.
    """
    if not bindings:
        return query
    terms = {}
    for k, v in bindings.items():
        name = k.value if isinstance(k, ox.Variable) else str(k).lstrip("?$")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"invalid parameter name: {name!r}")
        terms[name] = term_to_sparql(to_term(v))
    toks = list(_scan(query))
    body = next((k for k, t in enumerate(toks) if t[2] == "{"), None)
    if body is None:
        raise ValueError("cannot bind parameters: the query has no group pattern")
    end = len(toks)
    out, last = [], 0
    for k in range(body, end):
        a, b, tok = toks[k]
        if tok[0] in "?$" and tok[1:] in terms:
            if k > 0 and toks[k - 1][2].upper() == "AS":
                raise ValueError(f"cannot bind {tok}: the query assigns it (AS {tok})")
            out.append(query[last:a])
            out.append(terms[tok[1:]])
            last = b
    out.append(query[last:])
    return "".join(out)


# --------------------------------------------------------------------------- the store
class Store:
    """A kg store directory. Open with :meth:`Store.open`; reads are snapshot reads."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._db: Optional[ox.Store] = None
        self._version: Optional[str] = None
        self._manifests: dict[str, tuple] = {}    # version -> its manifest (a live version never changes)

    # ---- opening
    @classmethod
    def open(cls, path=None, create: bool = True, check_version: bool = True) -> "Store":
        """Open the store at ``path`` (default ``$KG_STORE`` or ``./kg-store``).

        ``create=True`` makes an empty store if there is none. Raises :class:`StoreError`
        (one line) when the path is not a kg store, :class:`StoreVersionError` when it was
        written by another schema version (unless ``check_version=False``).
        """
        root = Path(path) if path is not None else default_path()
        st = cls(root)
        if not st._is_store():
            if not create:
                raise StoreError(f"{root}: no kg store here (run `kg build` first)")
            st._create()
        st._open_current()
        if check_version:
            v = st.schema_version()
            if v != SCHEMA_VERSION:
                st.close()
                raise StoreVersionError(
                    f"{root}: store has schema version {v}, this kg needs {SCHEMA_VERSION}; "
                    f"rebuild it with `kg build PATH... --store {root}` (it rebuilds from scratch)")
        return st

    def _is_store(self) -> bool:
        root = self.root
        if not root.exists():
            return False
        if not root.is_dir():
            raise StoreError(f"{root}: not a directory")
        if (root / "KG-STORE").is_file() and (root / "current").is_symlink():
            return True
        if any(p.name != "lock" for p in root.iterdir()):   # a first build killed after taking the lock
            if (root / "CURRENT").exists() or (root / "OPTIONS").exists() or any(root.glob("OPTIONS-*")):
                raise StoreVersionError(f"{root}: a plain oxigraph database from an older kg, not a kg store; "
                                        f"remove it or build into another --store path")
            if (root / "KG-STORE").is_file():
                return False   # a store whose first build was killed before it went live
            raise StoreError(f"{root}: directory is not empty and not a kg store; choose another --store path")
        return False

    def _create(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock(wait=True):
            if (self.root / "current").is_symlink():
                return
            (self.root / "KG-STORE").write_text(
                f"{LAYOUT}\nThis directory is a kg store: open it with kg (see docs/graph.md), do not edit it.\n")
            name = self._next_version_name()
            db = ox.Store(str(self.root / name))
            Writer(db).extend(self._meta_quads())
            _write_manifest(self.root / name / MANIFEST_NAME, named_len(db), 0, {})
            db.flush()
            del db
            gc.collect()
            self._swap_current(name)

    def _open_current(self) -> None:
        target = os.readlink(self.root / "current")
        try:
            self._db = ox.Store.read_only(str(self.root / target))
        except OSError as e:
            raise StoreError(f"{self.root}: cannot open store version {target}: {e}") from None
        self._version = target

    def refresh(self) -> bool:
        """Reopen if a writer made a new version live since this store was opened. True if reopened."""
        try:
            target = os.readlink(self.root / "current")
        except OSError:
            return False
        if target == self._version:
            return False
        self._db = None
        gc.collect()
        self._open_current()
        return True

    @property
    def db(self) -> ox.Store:
        if self._db is None:
            raise StoreError(f"{self.root}: store is closed")
        return self._db

    @property
    def version(self) -> Optional[str]:
        """Name of the version directory this instance reads (``v-000007``)."""
        return self._version

    def close(self) -> None:
        self._db = None
        gc.collect()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # ---- reading
    def query(self, sparql: str, bindings: Optional[Mapping] = None, refresh: bool = True):
        """Run a SPARQL query; ``bindings`` = {var: term} pre-bound as RDF terms (see :func:`bind`).

        The default graph is the union of all named graphs (materialised: each triple once).
        Returns pyoxigraph's result object (solutions iterator, bool, or triples iterator).
        """
        if refresh:
            self.refresh()
        q = bind(sparql, bindings) if bindings else sparql
        return self.db.query(q)

    def graphs(self) -> list[str]:
        """IRIs of all named graphs, sorted."""
        return sorted(g.value for g in self.db.named_graphs() if isinstance(g, ox.NamedNode))

    def document_graphs(self) -> list[str]:
        """IRIs of the graphs holding source documents (every graph but meta/ontology), sorted."""
        skip = {iris.meta_graph(), iris.ontology_graph()}
        return [g for g in self.graphs() if g not in skip]

    def document_hashes(self) -> dict[str, str]:
        """{document graph IRI: sha256 of its source bytes}."""
        from .mapping import SHA256_P
        out = {}
        for s in self.db.query(f"SELECT ?g ?h WHERE {{ GRAPH ?g {{ ?g <{SHA256_P}> ?h }} }}"):
            out[s["g"].value] = s["h"].value
        return out

    def document_paths(self) -> dict[str, list[str]]:
        """{document graph IRI: [source paths it was read from]} (from the meta graph)."""
        from .mapping import SOURCE_PATH_P
        out: dict[str, list[str]] = {}
        q = f"SELECT ?g ?p WHERE {{ GRAPH <{iris.meta_graph()}> {{ ?g <{SOURCE_PATH_P}> ?p }} }}"
        for s in self.db.query(q):
            out.setdefault(s["g"].value, []).append(s["p"].value)
        for v in out.values():
            v.sort()
        return out

    def _manifest(self) -> tuple[dict, dict[str, tuple[int, int, str]]]:
        """The version's manifest: header ``{"quads": named quads, "recorded_at_ns": ...}`` and
        ``{path: (size, mtime_ns, sha256)}``; empty when the version has none (an older kg)."""
        v = self._version
        if not v:
            return {}, {}
        if v not in self._manifests:
            self._manifests = {v: read_manifest(self.root / v / MANIFEST_NAME)}
        return self._manifests[v]

    def file_hints(self) -> tuple[int, dict[str, tuple[int, int, str]]]:
        """``(recorded_at_ns, {path: (size, mtime_ns, sha256)})`` written by the build that made this
        version: lets the next build skip reading and hashing files whose size and mtime did not
        change (a hint only: a path is skipped only if its hash names a graph of this store)."""
        head, rows = self._manifest()
        return int(head.get("recorded_at_ns") or 0), rows

    def quad_count(self) -> int:
        """Number of quads in the named graphs: from the version's manifest (kept by every write), else
        counted (two index scans; seconds at tens of millions of quads)."""
        n = self._manifest()[0].get("quads")
        return int(n) if isinstance(n, int) else len(self)

    def schema_version(self) -> Optional[int]:
        from .mapping import SCHEMA_VERSION_P
        meta = ox.NamedNode(iris.meta_graph())
        for q in self.db.quads_for_pattern(meta, ox.NamedNode(SCHEMA_VERSION_P), None, meta):
            try:
                return int(q.object.value)
            except ValueError:
                return None
        return None

    def quads(self, graph=None) -> Iterator[ox.Quad]:
        """Stream quads: of every named graph (``graph=None``, graph by graph in IRI order), or of one
        graph (IRI string, NamedNode, or DefaultGraph for the materialised union)."""
        if graph is None:
            return named_quads(self.db)
        if isinstance(graph, str):
            graph = ox.NamedNode(graph)
        return self.db.quads_for_pattern(None, None, None, graph)

    def __len__(self) -> int:
        """Number of quads in the named graphs (the materialised default graph not counted)."""
        return named_len(self.db)

    def union_len(self) -> int:
        """Number of distinct triples (the size of the default graph)."""
        return default_len(self.db)

    def dump(self, path, fmt: str = "nquads", graph=None) -> None:
        """Write the store (or one graph) to ``path`` atomically. fmt: nquads|trig|turtle|ntriples|jsonld|rdfxml.

        Dataset formats without ``graph`` write the named graphs (the default graph is derived
        from them); triple formats without ``graph`` write the union (each triple once).
        """
        from .io import atomic_output
        f = rdf_format(fmt)
        if isinstance(graph, str):
            graph = ox.NamedNode(graph)
        from .vocab import PREFIXES
        with atomic_output(path) as tmp:
            if f.supports_datasets and graph is None:
                kw = {"prefixes": PREFIXES} if f in (ox.RdfFormat.TRIG,) else {}
                ox.serialize(named_quads(self.db), str(tmp), f, **kw)
            elif graph is not None:
                kw = {"prefixes": PREFIXES} if f in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
                self.db.dump(str(tmp), f, from_graph=graph, **kw)
            else:
                kw = {"prefixes": PREFIXES} if f == ox.RdfFormat.TURTLE else {}
                self.db.dump(str(tmp), f, from_graph=DEFAULT_GRAPH, **kw)

    # ---- writing
    @contextmanager
    def _lock(self, wait: bool = False, timeout: Optional[float] = None):
        """Exclusive writer lock: POSIX ``lockf`` on ``root/lock`` (released by the kernel when the
        process dies, and NOT inherited by forked worker processes, unlike flock) plus an
        in-process guard (POSIX locks do not exclude threads/objects of the same process)."""
        self.root.mkdir(parents=True, exist_ok=True)
        key = str(self.root.resolve())
        deadline = None if timeout is None else time.monotonic() + timeout
        fd = -1
        try:
            while True:
                with _LOCAL_GUARD:
                    mine = key in _LOCAL_LOCKS
                    if not mine:
                        _LOCAL_LOCKS.add(key)
                if not mine:
                    fd = os.open(self.root / "lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
                    try:
                        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except OSError as e:
                        os.close(fd)
                        fd = -1
                        with _LOCAL_GUARD:
                            _LOCAL_LOCKS.discard(key)
                        if e.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                            raise
                if not wait or (deadline is not None and time.monotonic() > deadline):
                    try:
                        holder = (self.root / "lock").read_text(encoding="ascii", errors="replace").strip() or "?"
                    except OSError:
                        holder = "?"
                    if mine:
                        holder = f"{os.getpid()}, this process"
                    raise StoreLocked(f"{self.root}: another kg process (pid {holder}) is writing this store; "
                                      f"wait for it to finish (or use --wait)") from None
                time.sleep(0.2)
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            yield
        finally:
            if fd >= 0:
                os.close(fd)   # releases the lock
                with _LOCAL_GUARD:
                    _LOCAL_LOCKS.discard(key)

    def _versions(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if _VERSION_RE.match(p.name))

    def _next_version_name(self) -> str:
        vs = self._versions()
        n = int(vs[-1][2:]) + 1 if vs else 1
        return f"v-{n:06d}"

    def _swap_current(self, name: str) -> None:
        tmp = self.root / f".current.{os.getpid()}"
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        os.symlink(name, tmp)
        os.replace(tmp, self.root / "current")
        dfd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)

    def _cleanup(self) -> None:
        """Remove versions other than the live one and its predecessor (call with the lock held)."""
        try:
            live = os.readlink(self.root / "current")
        except OSError:
            return
        vs = self._versions()
        keep = {live}
        older = [v for v in vs if v < live]
        if older:
            keep.add(older[-1])
        for v in vs:
            if v not in keep:
                shutil.rmtree(self.root / v, ignore_errors=True)
        for p in self.root.glob(".current.*"):
            try:
                p.unlink()
            except OSError:
                pass

    def _meta_quads(self) -> list[ox.Quad]:
        from .mapping import SCHEMA_VERSION_P
        meta = ox.NamedNode(iris.meta_graph())
        return [ox.Quad(meta, ox.NamedNode(SCHEMA_VERSION_P),
                        ox.Literal(str(SCHEMA_VERSION), datatype=ox.NamedNode(iris_xsd("integer"))), meta)]

    @contextmanager
    def writer(self, wait: bool = False, timeout: Optional[float] = None, fresh: bool = False):
        """Exclusive, atomic write: ``with store.writer() as w: w.remove_graph(g); w.add(quads)``.

        Everything done through ``w`` becomes visible at once when the block exits
        normally; on an exception (or a kill) the live store is unchanged. ``fresh=True``
        starts from an empty store (used to rebuild a store of an older schema version).
        """
        with self._lock(wait=wait, timeout=timeout):
            self._cleanup()
            name = self._next_version_name()
            staging = self.root / name
            self.refresh()
            w = Writer(None)
            if fresh:
                w.base_quads = 0
            else:
                w.base_quads = self._manifest()[0].get("quads")
                w.file_hints = self.file_hints()
            try:
                if fresh:
                    w.db = ox.Store(str(staging))
                    w.extend(self._meta_quads())
                else:
                    self.db.backup(str(staging))
                    w.db = ox.Store(str(staging))
                    if self._version_of(w.db) != SCHEMA_VERSION:
                        raise StoreVersionError(f"{self.root}: store has another schema version; rebuild it "
                                                f"(kg build rebuilds from scratch)")
                yield w
                if not w.discard:
                    quads = (w.base_quads + w.named_delta if isinstance(w.base_quads, int)
                             else named_len(w.db))
                    w.db.flush()
                    if w.optimize:
                        w.db.optimize()
            except BaseException:
                w.db = None
                gc.collect()
                shutil.rmtree(staging, ignore_errors=True)
                raise
            w.db = None          # closes the RocksDB instance (last reference)
            gc.collect()
            if w.discard:
                shutil.rmtree(staging, ignore_errors=True)
                return
            _write_manifest(staging / MANIFEST_NAME, quads, *w.file_hints)
            self._swap_current(name)
            self._cleanup()
        self.refresh()

    @staticmethod
    def _version_of(db: ox.Store) -> Optional[int]:
        from .mapping import SCHEMA_VERSION_P
        meta = ox.NamedNode(iris.meta_graph())
        for q in db.quads_for_pattern(meta, ox.NamedNode(SCHEMA_VERSION_P), None, meta):
            return int(q.object.value)
        return None

    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Quad]], remove: Iterable[str] = (),
                       wait: bool = False) -> None:
        """Atomically replace each named graph's content by the given quads and remove others.

        Quads whose graph differs from their key are put into the key's graph.
        """
        with self.writer(wait=wait) as w:
            for g in remove:
                w.remove_graph(g)
            for g, quads in graphs.items():
                w.remove_graph(g)
                gn = ox.NamedNode(g)
                w.add(q if q.graph_name == gn else ox.Quad(q.subject, q.predicate, q.object, gn) for q in quads)

    def remove_graphs(self, graph_iris: Iterable[str], wait: bool = False) -> None:
        with self.writer(wait=wait) as w:
            for g in graph_iris:
                w.remove_graph(g)


class Writer:
    """Changes to a staging copy of the store; see :meth:`Store.writer`.

    Every change to a named graph goes through this class, which keeps the default graph
    equal to the union of the named graphs: an added quad's triple is added to the default
    graph too; a removed quad's triple leaves it when no other named graph still holds it
    (one SPARQL update per removed graph, evaluated in the store).
    """

    def __init__(self, db: Optional[ox.Store]):
        self.db = db
        self.added = 0
        self.optimize = False
        self.discard = False     # set True to end the write without changing the store
        self.file_hints: tuple[int, dict] = (0, {})   # (recorded_at_ns, {path: (size, mtime_ns, sha)})
        self.base_quads: Optional[int] = None          # named quads before this write (None: unknown)
        self.named_delta = 0                           # named quads added minus removed by this write

    def remove_graph(self, graph_iri: str) -> None:
        """Drop a named graph (and, from the default graph, the triples no other graph holds)."""
        g = ox.NamedNode(graph_iri)
        db = self.db
        if not db.contains_named_graph(g):
            return
        n = _sparql_count(db, f"GRAPH {g} {{ ?s ?p ?o }}")
        # one update evaluated inside the store (a Python loop of one index lookup per triple took
        # 75 s for 1,000 graphs of a 65M-quad store): the graph's triples that no other named graph
        # states leave the default graph, then the graph goes
        # (a provenance node's IRI embeds its document's hash, so its triples are in this graph only:
        # they skip the existence check, about a third of a document's triples)
        elsewhere = f"EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != {g}) }}"
        if graph_iri.startswith(_DOCUMENT_PREFIX):
            own = term_to_sparql(ox.Literal(iris.provenance(graph_iri) + "/"))
            keep = f"!STRSTARTS(STR(?s), {own}) && {elsewhere}"
        else:
            keep = elsewhere
        db.update(f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} FILTER(!({keep})) }}")
        db.remove_graph(g)
        self.named_delta -= n

    def remove(self, quad: ox.Quad) -> None:
        """Remove one quad of a named graph."""
        if isinstance(quad.graph_name, ox.DefaultGraph) or quad not in self.db:
            return
        db = self.db
        db.remove(quad)
        self.named_delta -= 1
        s, p, o = quad.subject, quad.predicate, quad.object
        if not any(not isinstance(q.graph_name, ox.DefaultGraph) for q in db.quads_for_pattern(s, p, o, None)):
            db.remove(ox.Quad(s, p, o, DEFAULT_GRAPH))     # no named graph states it any more

    def _mirrored(self, quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        db = self.db
        for q in quads:
            if isinstance(q.graph_name, ox.DefaultGraph):
                continue                  # the default graph is derived: never written directly
            if q not in db:
                self.named_delta += 1
            yield q
            yield ox.Quad(q.subject, q.predicate, q.object, DEFAULT_GRAPH)

    def add(self, quads: Iterable[ox.Quad], bulk: bool = True) -> None:
        """Add quads (streamed; ``bulk`` uses RocksDB SST ingestion, best for large batches)."""
        counted = self._mirrored(self._count(quads))
        if bulk:
            self.db.bulk_extend(counted)
        else:
            self.db.extend(counted)

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add a few quads (transactional insert; use :meth:`add` for many)."""
        self.add(quads, bulk=False)

    def _count(self, quads):
        for q in quads:
            self.added += 1
            yield q

    def load_nquads(self, parts: Iterable[tuple[bytes, str, int]]) -> None:
        """Bulk-load ``(data, graph, n)`` triples: N-Quads bytes (as written by
        :func:`kg.mapping.map_document_nquads`) of ``n`` distinct quads, every line ending
        ``<graph> .``, for a graph not yet in the store; their triples go into the default graph too."""
        parts = list(parts)
        if not parts:
            return
        self.db.bulk_load(input=b"".join(d for d, _, _ in parts), format=ox.RdfFormat.N_QUADS)
        self.named_delta += sum(n for _, _, n in parts)
        self.db.bulk_load(input=union_ntriples(parts), format=ox.RdfFormat.N_TRIPLES)

    def load(self, path, fmt: Optional[str] = None, graph: Optional[str] = None) -> None:
        """Load an RDF file: a dataset format as it is, a triples format into the named ``graph``."""
        f = rdf_format(fmt) if fmt else ox.RdfFormat.from_extension(Path(path).suffix.lstrip("."))
        if not f.supports_datasets and not graph:
            raise StoreError(f"{path}: a triples format needs a named graph to load into")
        g = ox.NamedNode(graph) if graph else None
        quads = (ox.Quad(q.subject, q.predicate, q.object, g) if g is not None else q
                 for q in ox.parse(path=str(path), format=f))
        self.add(quads)

    def set_source_paths(self, graph_iri: str, paths: Iterable[str]) -> None:
        """Record in the meta graph which paths a document graph was read from (replaces old ones)."""
        from .mapping import SOURCE_PATH_P
        meta = ox.NamedNode(iris.meta_graph())
        g = ox.NamedNode(graph_iri)
        p = ox.NamedNode(SOURCE_PATH_P)
        for q in list(self.db.quads_for_pattern(g, p, None, meta)):
            self.remove(q)
        self.extend([ox.Quad(g, p, ox.Literal(x), meta) for x in sorted(set(paths))])

    def forget_source(self, graph_iri: str) -> None:
        """Drop a document's meta-graph entries (with its graph removed)."""
        self.set_source_paths(graph_iri, ())


def read_manifest(path: Path) -> tuple[dict, dict[str, tuple[int, int, str]]]:
    """A version manifest: a JSON header line, then one ``[path, size, mtime_ns, sha256]`` per line."""
    import json
    try:
        with open(path, encoding="utf-8") as fh:
            head = json.loads(fh.readline())
            rows = {}
            for line in fh:
                p, size, mtime, sha = json.loads(line)
                rows[p] = (int(size), int(mtime), str(sha))
        return (head if isinstance(head, dict) else {}), rows
    except (OSError, ValueError, KeyError, TypeError):
        return {}, {}


def _write_manifest(path: Path, quads: int, recorded_at_ns: int, rows: Mapping[str, tuple]) -> None:
    import json
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"quads": quads, "recorded_at_ns": recorded_at_ns}) + "\n")
        for p in sorted(rows):
            fh.write(json.dumps([p, *rows[p]], ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def union_ntriples(parts: Iterable[tuple[bytes, str, int]]) -> bytes:
    """N-Triples of ``(data, graph, n)`` N-Quads parts (as :meth:`Writer.load_nquads` takes
    them): each line's graph name dropped, for loading into the default graph (the union)."""
    return b"".join(d.replace(b" <" + g.encode() + b"> .\n", b" .\n") for d, g, _ in parts)


def named_quads(db: ox.Store) -> Iterator[ox.Quad]:
    """Every quad of every named graph, graph by graph in IRI order (not the default graph)."""
    for g in sorted(db.named_graphs(), key=str):
        yield from db.quads_for_pattern(None, None, None, g)


def _sparql_count(db: ox.Store, where: str) -> int:
    for row in db.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"):
        return int(row[0].value)
    return 0


def named_len(db: ox.Store) -> int:
    """Number of quads in the named graphs of ``db`` (all quads minus the default graph's triples:
    two index scans, 4x faster than counting ``GRAPH ?g { ?s ?p ?o }``)."""
    return len(db) - default_len(db)


def default_len(db: ox.Store) -> int:
    """Number of triples in the default graph of ``db``."""
    return _sparql_count(db, "?s ?p ?o")


def has_union_graph(store) -> bool:
    """True for a kg :class:`Store`: its default graph is the materialised union of its named
    graphs (derived data); False for any other pyoxigraph store (e.g. a file loaded into memory)."""
    return isinstance(store, Store)


def union_query_kwargs(store) -> dict:
    """Keyword arguments for ``pyoxigraph.Store.query`` that make the default graph the union of
    the named graphs: none for a kg store (see :func:`has_union_graph`), pyoxigraph's union
    view for any other."""
    return {} if has_union_graph(store) else {"use_default_graph_as_union": True}


_FORMATS = {
    "nquads": "N_QUADS", "nq": "N_QUADS", "n-quads": "N_QUADS",
    "trig": "TRIG", "turtle": "TURTLE", "ttl": "TURTLE",
    "ntriples": "N_TRIPLES", "nt": "N_TRIPLES", "n-triples": "N_TRIPLES",
    "jsonld": "JSON_LD", "json-ld": "JSON_LD", "rdfxml": "RDF_XML", "xml": "RDF_XML", "rdf": "RDF_XML",
}


def rdf_format(name: str) -> ox.RdfFormat:
    try:
        return getattr(ox.RdfFormat, _FORMATS[name.lower()])
    except KeyError:
        raise StoreError(f"unknown RDF format {name!r} (use one of: {', '.join(sorted(_FORMATS))})") from None
