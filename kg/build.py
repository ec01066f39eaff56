"""`kg build`: sources -> pipeline.parse -> mapping -> store, incremental and atomic.

* Each document's quads go into its own named graph (its SourceDocument IRI,
  ``kgd:document/<sha256[:16]>``), so a document is replaced or removed as a unit.
* Incremental: a file whose content hash is already in the store is skipped
  (only its path is recorded); a file whose content changed replaces the graph
  its path pointed to; ``prune=True`` removes graphs of documents not given.
  A file whose size and modification time (ns) equal those recorded by the
  previous build is not even read (as git's index and make do); ``rehash=True``
  reads and hashes every file. Files modified in the 2 s before the previous
  build recorded them are always re-read (coarse file-system clocks).
* Parallel: worker processes read, parse and map (``jobs``, default all cores)
  and send back N-Quads bytes; the parent bulk-loads them in batches. Work is
  fed in bounded windows, so memory does not grow with the corpus.
* Atomic: everything happens in a staging copy of the store (see
  :mod:`kg.store`) that becomes live in one rename at the end; a failure, a
  Ctrl-C or a kill leaves the store as it was. A second concurrent build gets
  :class:`kg.store.StoreLocked` (or waits with ``wait=True``).
"""
from __future__ import annotations

import hashlib
import os
import sys
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import pyoxigraph as ox

from . import iris

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_FILES = ("kg.ttl", "outcomes.ttl")
WINDOW = 2048              # paths handed to the pool at a time (bounds memory)
BATCH_BYTES = 32 << 20     # N-Quads bytes per bulk load


@dataclass
class BuildSummary:
    store: str = ""
    read: int = 0                 # input files considered
    loaded: int = 0               # documents mapped and loaded (new or changed)
    unchanged: int = 0            # skipped: content already in the store
    not_read: int = 0             # of those, skipped by size + mtime without reading the file
    failed: list[str] = field(default_factory=list)       # one line each
    violations: list[str] = field(default_factory=list)   # with validate=True: SHACL violations of new graphs
    warnings: list[str] = field(default_factory=list)     # "file: warning"
    removed: int = 0              # graphs removed (replaced or pruned)
    triples_added: int = 0
    triples_total: int = 0
    graphs_total: int = 0
    seconds: float = 0.0
    committed: bool = False
    rebuilt: bool = False         # store of an older schema was rebuilt from scratch
    validated: bool = False       # new/changed graphs were SHACL-validated in the workers
    note: str = ""

    def lines(self) -> list[str]:
        out = [f"kg build: {self.store}",
               f"  documents read     {self.read}",
               f"  loaded (new/changed) {self.loaded}",
               f"  skipped unchanged  {self.unchanged}"
               + (f" ({self.not_read} not read: same size and mtime)" if self.not_read else ""),
               f"  failed             {len(self.failed)}",
               f"  graphs removed     {self.removed}",
               f"  triples added      {self.triples_added}",
               f"  store now          {self.triples_total} quads in {self.graphs_total} document graphs",
               f"  warnings           {len(self.warnings)}",
               *([f"  SHACL violations   {len(self.violations)} (in the new/changed graphs)"]
                 if self.validated else []),
               f"  time               {self.seconds:.2f} s"
               + (f" ({self.loaded / self.seconds:.0f} docs/s)" if self.seconds > 0 and self.loaded else "")]
        if self.rebuilt:
            out.append("  note: the store had an older schema version and was rebuilt from scratch")
        if self.note:
            out.append(f"  note: {self.note}")
        for f in self.failed[:20]:
            out.append(f"  failed: {f}")
        if len(self.failed) > 20:
            out.append(f"  ... and {len(self.failed) - 20} more failures")
        for v in self.violations[:10]:
            out.append(f"  {v}")
        if len(self.violations) > 10:
            out.append(f"  ... and {len(self.violations) - 10} more violations (kg validate lists them all)")
        for w in self.warnings[:10]:
            out.append(f"  warning: {w}")
        if len(self.warnings) > 10:
            out.append(f"  ... and {len(self.warnings) - 10} more warnings")
        if not self.committed:
            out.append("  store NOT changed")
        return out


# --------------------------------------------------------------------------- worker side
_KNOWN: frozenset = frozenset()
_VALIDATE = False


def _init_worker(known: frozenset, validate: bool = False) -> None:
    global _KNOWN, _VALIDATE
    _KNOWN = known
    _VALIDATE = validate


def _process(path: str):
    """Read, parse and map one file. Returns a small tuple (picklable)."""
    from .mapping import document_iri, map_document_nquads
    from .pipeline import parse
    from .sources import SourceError, read_source
    try:
        src = read_source(path)
    except SourceError as e:
        return ("failed", path, None, None, str(e), ())
    except Exception as e:  # noqa: BLE001 - any reader crash is one failed input
        return ("failed", path, None, None, f"{path}: cannot read: {type(e).__name__}: {e}", ())
    if src.sha256 in _KNOWN:
        return ("unchanged", path, src.sha256, iris.document(src.sha256), None, ())
    try:
        doc = parse(src)
        data, n = map_document_nquads(doc)
        g = document_iri(doc)
    except Exception as e:  # noqa: BLE001
        return ("failed", path, src.sha256, None, f"{path}: cannot parse: {type(e).__name__}: {e}", ())
    viol: tuple = ()
    if _VALIDATE:
        from .validate import check_graph, nt_triples
        viol = tuple(v.line() for v in check_graph(list(nt_triples(data, g)), graph=g))
    return ("mapped", path, src.sha256, g, (data, n, viol), tuple(doc.warnings))


# --------------------------------------------------------------------------- helpers
def _ontology_quads() -> tuple[str, list[ox.Quad]]:
    g = ox.NamedNode(iris.ontology_graph())
    h = hashlib.sha256()
    quads: list[ox.Quad] = []
    for name in ONTOLOGY_FILES:
        p = ONTOLOGY_DIR / name
        if not p.exists():
            continue
        data = p.read_bytes()
        h.update(data)
        quads.extend(ox.Quad(q.subject, q.predicate, q.object, g)
                     for q in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=p.as_uri()))
    return h.hexdigest(), quads


def _progress(total: int, enabled: Optional[bool]):
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover
        return None
    return tqdm(total=total, unit="doc", file=sys.stderr, leave=False, dynamic_ncols=True)


def _results(paths: list[str], jobs: int, known: frozenset, validate: bool = False):
    """Yield worker results for all paths, in bounded windows."""
    if jobs <= 1 or len(paths) <= 2:
        _init_worker(known, validate)
        for p in paths:
            yield _process(p)
        return
    import multiprocessing as mp
    ctx = mp.get_context("fork") if hasattr(os, "fork") else mp.get_context()
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(known, validate)) as pool:
        for k in range(0, len(paths), WINDOW):
            window = paths[k:k + WINDOW]
            chunk = max(1, min(32, len(window) // (jobs * 4) or 1))
            yield from pool.imap_unordered(_process, window, chunksize=chunk)


# --------------------------------------------------------------------------- build
def build(inputs: Iterable, store_path=None, prune: bool = False, jobs: Optional[int] = None,
          strict: bool = False, wait: bool = False, progress: Optional[bool] = None,
          validate: bool = False, rehash: bool = False) -> BuildSummary:
    """Build or update the store at ``store_path`` from files/directories ``inputs``.

    Returns a :class:`BuildSummary`. Raises :class:`kg.store.StoreError` for store
    problems (locked, not a store). Per-file problems are collected in ``failed``.
    With ``strict=True`` any failure or warning rolls the whole build back. With ``validate=True`` each
    new or changed graph is checked against the SHACL shapes in the worker that mapped it (the fast
    engine of :mod:`kg.validate`), so an incremental build validates only what changed.
    """
    from .sources import iter_paths
    from .store import Store, StoreVersionError, default_path

    t0 = time.monotonic()
    root = Path(store_path) if store_path is not None else default_path()
    summary = BuildSummary(store=str(root), validated=validate)
    files: list[str] = []
    seen: set[str] = set()
    real_dirs: dict[str, str] = {}
    for p in iter_paths(inputs):
        s = _real_path(str(p), real_dirs)
        if s not in seen:
            seen.add(s)
            files.append(s)
    summary.read = len(files)

    fresh = False
    try:
        store = Store.open(root, create=True)
    except StoreVersionError:
        store = Store.open(root, create=True, check_version=False) if (root / "KG-STORE").exists() else None
        if store is None:
            raise
        fresh = True
        summary.rebuilt = True
    with store:
        if fresh:
            known_hash: dict[str, str] = {}
            path_graph: dict[str, str] = {}
            graph_paths: dict[str, set] = {}
        else:
            known_hash = store.document_hashes()          # graph -> sha
            graph_paths = {g: set(ps) for g, ps in store.document_paths().items()}
            path_graph = {p: g for g, ps in graph_paths.items() for p in ps}
        known = frozenset(known_hash.values())
        sha_graph = {h: g for g, h in known_hash.items()}
        jobs = max(1, jobs or os.cpu_count() or 1)
        hints = _Hints(store, files, sha_graph, fresh or rehash)

        try:
            summary.committed = _write(store, summary, files, jobs, known, known_hash, sha_graph, graph_paths,
                                       path_graph, fresh, prune, strict, wait, progress, validate, hints)
        except _Rollback:
            summary.committed = False
        summary.triples_total = store.quad_count()
        summary.graphs_total = len(store.document_graphs())
    summary.seconds = time.monotonic() - t0
    return summary


def _real_path(p: str, dirs: dict) -> str:
    """The absolute, symlink-free path of an input file (a missing one stays as given), as
    ``Path.resolve`` gives it, for one ``lstat`` per file: each directory is resolved once."""
    try:
        st = os.lstat(p)
    except OSError:
        return p
    if stat.S_ISLNK(st.st_mode):
        return str(Path(p).resolve()) if os.path.exists(p) else p
    d, name = os.path.split(p)
    rd = dirs.get(d)
    if rd is None:
        rd = dirs[d] = os.path.realpath(d or ".")
    return os.path.join(rd, name)


class _Hints:
    """Size/mtime hints: which files can be skipped without reading them, and the table the
    new store version records (see :meth:`kg.store.Store.file_hints`)."""

    SLACK_NS = 2_000_000_000

    def __init__(self, store, files: list[str], sha_graph: dict, ignore: bool):
        self.started_ns = time.time_ns()
        recorded_at, old = (0, {}) if ignore else store.file_hints()
        self.old = old
        self.stat: dict[str, tuple[int, int]] = {}
        self.skip: dict[str, str] = {}          # path -> sha of files not to read
        for p in files:
            try:
                st = os.stat(p)
            except OSError:
                continue                        # read_source reports it
            self.stat[p] = (st.st_size, st.st_mtime_ns)
            h = old.get(p)
            if (h is not None and h[:2] == self.stat[p] and h[2] in sha_graph
                    and st.st_mtime_ns < recorded_at - self.SLACK_NS):
                self.skip[p] = h[2]

    def table(self, final_paths: dict, sha_of: dict[str, str]) -> tuple[int, dict]:
        """Hints for the paths of the new version: ``sha_of`` {path: sha} read in this build."""
        rows = {}
        for ps in final_paths.values():
            for p in ps:
                if p in sha_of and p in self.stat:
                    rows[p] = (*self.stat[p], sha_of[p])
                elif p in self.skip:
                    rows[p] = (*self.stat[p], self.skip[p])
                elif p in self.old and p not in self.stat:
                    rows[p] = self.old[p]           # not given in this build: keep its hint
        return self.started_ns, rows


def _write(store, summary, files, jobs, known, known_hash, sha_graph, graph_paths, path_graph, fresh, prune,
           strict, wait, progress, validate=False, hints: Optional[_Hints] = None) -> bool:
    """The write transaction of :func:`build`; returns True if a new store version went live."""
    from .mapping import SHA256_P, SOURCE_PATH_P
    with store.writer(wait=wait, fresh=fresh) as w:
        db = w.db
        meta = ox.NamedNode(iris.meta_graph())
        src_p = ox.NamedNode(SOURCE_PATH_P)
        changed = fresh

        # ontology graph (only when the files changed)
        oh, oquads = _ontology_quads()
        og = iris.ontology_graph()
        cur = [q.object.value for q in db.quads_for_pattern(ox.NamedNode(og), ox.NamedNode(SHA256_P), None, meta)]
        if cur != [oh]:
            w.remove_graph(og)
            for q in list(db.quads_for_pattern(ox.NamedNode(og), ox.NamedNode(SHA256_P), None, meta)):
                w.remove(q)
            w.extend(oquads + [ox.Quad(ox.NamedNode(og), ox.NamedNode(SHA256_P), ox.Literal(oh), meta)])
            changed = True

        buf: list[tuple[bytes, str, int]] = []
        buf_size = 0
        loaded_graphs: set[str] = set()
        new_paths: dict[str, set] = {}      # graph -> paths seen in this build
        failed_paths: set[str] = set()
        bar = _progress(len(files), progress)

        def flush():
            nonlocal buf, buf_size
            if buf:
                w.load_nquads(buf)
                buf, buf_size = [], 0

        skip = hints.skip if hints is not None else {}
        sha_of: dict[str, str] = {}

        def results():
            for p, sha in skip.items():
                yield ("unchanged", p, sha, sha_graph[sha], None, ())
            yield from _results([p for p in files if p not in skip], jobs, known, validate)

        try:
            for status, path, sha, g, payload, warns in results():
                if sha is not None and status != "failed":
                    sha_of[path] = sha
                if bar is not None:
                    bar.update(1)
                if status == "failed":
                    summary.failed.append(payload)
                    failed_paths.add(path)
                    continue
                if status == "unchanged":
                    summary.unchanged += 1
                    summary.not_read += path in skip
                    g = sha_graph.get(sha, g)
                else:
                    if g in loaded_graphs or (g in known_hash and not fresh):
                        summary.unchanged += 1       # same content under another path
                    else:
                        data, n, viol = payload
                        summary.violations.extend(viol)
                        buf.append((data, g, n))
                        buf_size += len(data)
                        summary.loaded += 1
                        summary.triples_added += n
                        loaded_graphs.add(g)
                        changed = True
                        if buf_size >= BATCH_BYTES:
                            flush()
                    summary.warnings.extend(f"{Path(path).name}: {x}" for x in warns)
                new_paths.setdefault(g, set()).add(path)
            flush()
        finally:
            if bar is not None:
                bar.close()

        # paths whose content changed: the graph they pointed to loses them
        to_remove: set[str] = set()
        final_paths = {g: set(ps) for g, ps in graph_paths.items()}
        for g, ps in new_paths.items():
            for p in ps:
                old = path_graph.get(p)
                if old is not None and old != g:
                    final_paths.get(old, set()).discard(p)
                    if not final_paths.get(old):
                        to_remove.add(old)
            final_paths.setdefault(g, set()).update(ps)
        if prune:
            keep = set(new_paths)
            keep |= {path_graph[p] for p in failed_paths if p in path_graph}
            to_remove |= {g for g in known_hash if g not in keep}
        for g in sorted(to_remove):
            if g in loaded_graphs:
                continue
            w.remove_graph(g)
            final_paths.pop(g, None)
            summary.removed += 1
            changed = True

        # meta graph: source paths of every graph whose paths changed
        for g in sorted(set(final_paths) | to_remove):
            before = graph_paths.get(g, set())
            after = final_paths.get(g, set()) if g not in to_remove else set()
            if before != after:
                gn = ox.NamedNode(g)
                for q in list(db.quads_for_pattern(gn, src_p, None, meta)):
                    w.remove(q)
                if after:
                    w.extend([ox.Quad(gn, src_p, ox.Literal(p), meta) for p in sorted(after)])
                changed = True

        if strict and (summary.failed or summary.warnings or summary.violations):
            summary.note = "--strict: failures, warnings or violations; build rolled back"
            raise _Rollback()
        if hints is not None:
            recorded, rows = hints.table(final_paths, sha_of)
            if not changed and rows != hints.old:
                changed = True               # only the hints are new (e.g. first build after --rehash)
            w.file_hints = (recorded, rows)
        if not changed:
            w.discard = True
            summary.note = "nothing changed"
        del db   # the writer must hold the last reference: it closes RocksDB before the version goes live
    return not w.discard


class _Rollback(Exception):
    """Internal: abort the write transaction (strict mode)."""

