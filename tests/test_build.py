"""kg build: incremental, idempotent, atomic, parallel; failures reported, others loaded."""
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import main
from kg.store import Store, StoreLocked

SEEDS = os.path.join(os.path.dirname(__file__), "..", "examples", "minutes")


@pytest.fixture()
def corpus(tmp_path):
    d = tmp_path / "in"
    shutil.copytree(SEEDS, d)
    return d


def nquads(root):
    with Store.open(root, create=False) as st:
        return sorted(str(q) for q in st.quads())


def test_build_seeds_then_rebuild_is_a_no_op(corpus, tmp_path):
    root = tmp_path / "store"
    s = build([corpus], root, jobs=1)
    assert (s.read, s.loaded, s.unchanged, s.failed) == (5, 5, 0, [])
    assert s.committed and s.graphs_total == 5 and s.triples_added > 1000
    first = nquads(root)
    s2 = build([corpus], root, jobs=1)
    assert (s2.loaded, s2.unchanged, s2.committed) == (0, 5, False)
    assert nquads(root) == first


def test_parallel_build_equals_serial_build(corpus, tmp_path):
    build([corpus], tmp_path / "a", jobs=1)
    build([corpus], tmp_path / "b", jobs=2)
    assert nquads(tmp_path / "a") == nquads(tmp_path / "b")


def test_changed_document_replaces_its_graph_and_prune(corpus, tmp_path):
    root = tmp_path / "store"
    build([corpus], root, jobs=1)
    with Store.open(root) as st:
        before = st.document_hashes()
    f = sorted(corpus.glob("*.txt"))[0]
    f.write_text(f.read_text(encoding="utf-8") + "\nEkstra linje.\n", encoding="utf-8")
    s = build([corpus], root, jobs=1)
    assert (s.loaded, s.unchanged, s.removed) == (1, 4, 1)
    with Store.open(root) as st:
        after = st.document_hashes()
    assert len(after) == 5 and len(set(after) & set(before)) == 4
    # building only two files without --prune keeps the rest; with --prune removes them
    two = sorted(corpus.glob("*.txt"))[:2]
    s = build(two, root, jobs=1)
    assert s.graphs_total == 5 and not s.committed
    s = build(two, root, jobs=1, prune=True)
    assert (s.removed, s.graphs_total) == (3, 2)


def test_failed_inputs_are_reported_and_the_others_loaded(corpus, tmp_path):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 20)
    r = CliRunner().invoke(main, ["build", str(corpus), "--store", str(tmp_path / "s"), "--jobs", "1"])
    assert r.exit_code == 1
    err = r.stderr if hasattr(r, "stderr") else r.output
    assert "empty.txt" in err and "binary.txt" in err
    assert "documents read     7" in err and "failed             2" in err
    with Store.open(tmp_path / "s") as st:
        assert len(st.document_graphs()) == 5


def test_strict_rolls_back_on_failure(corpus, tmp_path):
    (corpus / "empty.txt").write_bytes(b"")
    s = build([corpus], tmp_path / "s", jobs=1, strict=True)
    assert not s.committed and s.graphs_total == 0


def test_concurrent_build_refuses(corpus, tmp_path):
    root = tmp_path / "s"
    Store.open(root).close()
    code = ("import time\nfrom kg.store import Store\nst = Store.open(%r)\n"
            "with st.writer():\n    print('locked', flush=True)\n    time.sleep(3)\n" % str(root))
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "locked"
        with pytest.raises(StoreLocked):
            build([corpus], root, jobs=1)
        r = CliRunner().invoke(main, ["build", str(corpus), "--store", str(root), "--jobs", "1"])
        assert r.exit_code == 2 and "another kg process" in r.output
    finally:
        p.wait(10)


def test_killed_build_leaves_store_as_before(corpus, tmp_path):
    root = tmp_path / "s"
    build([sorted(corpus.glob("*.txt"))[0]], root, jobs=1)
    before = nquads(root)
    big = tmp_path / "big"
    big.mkdir()
    for i in range(60):
        for f in corpus.glob("*.txt"):
            (big / f"{i}_{f.name}").write_text(f.read_text(encoding="utf-8") + f"\n{i}\n", encoding="utf-8")
    for delay in (0.2, 1.0):
        p = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(big), "--store", str(root), "--jobs", "2"],
                             stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait(10)
        after = nquads(root)
        if after != before:                     # killed after the switch: then the build is complete
            with Store.open(root) as st:
                assert len(st.document_graphs()) == 301
            break
    s = build([corpus], root, jobs=1)          # and the next build succeeds
    assert s.committed and s.graphs_total == 5


def test_old_schema_store_is_rebuilt(corpus, tmp_path):
    import pyoxigraph as ox

    from kg import iris
    from kg.mapping import SCHEMA_VERSION_P
    root = tmp_path / "s"
    build([corpus], root, jobs=1)
    st = Store.open(root)
    meta = ox.NamedNode(iris.meta_graph())
    with st.writer() as w:
        for q in list(w.db.quads_for_pattern(meta, ox.NamedNode(SCHEMA_VERSION_P), None, meta)):
            w.db.remove(q)
        w.db.add(ox.Quad(meta, ox.NamedNode(SCHEMA_VERSION_P), ox.Literal("0"), meta))
    st.close()
    s = build([corpus], root, jobs=1)
    assert s.rebuilt and s.loaded == 5 and s.committed
    with Store.open(root) as st:
        assert st.schema_version() >= 1


def test_build_validate_checks_new_graphs_only(corpus, tmp_path, monkeypatch):
    import kg.mapping as mapping
    root = tmp_path / "s"
    s = build([corpus], root, jobs=1, validate=True)
    assert s.validated and s.violations == [] and s.loaded == 5
    orig = mapping.map_document_nquads

    def broken(doc):                          # a mapping bug: a grant amount written as text
        data, n = orig(doc)
        g = mapping.document_iri(doc)
        bad = f'<https://w3id.org/kgdk/id/grant/0123456789abcdef> <{mapping.TYPE}> <{mapping.C_GRANT}> <{g}> .\n'
        return data + bad.encode(), n + 1
    monkeypatch.setattr(mapping, "map_document_nquads", broken)
    f = sorted(corpus.glob("*.txt"))[1]
    f.write_text(f.read_text(encoding="utf-8") + "\nÆndret.\n", encoding="utf-8")
    s = build([corpus], root, jobs=1, validate=True)
    assert s.loaded == 1 and s.unchanged == 4            # only the changed graph was mapped and validated
    assert len(s.violations) == 2                        # the grant has no funder and no wasDerivedFrom
    assert all("grant/0123456789abcdef" in v and "[source: " + f.name + "]" in v for v in s.violations)
    s2 = build([corpus, tmp_path / "nothing.txt"], tmp_path / "s2", jobs=1, validate=True, strict=True)
    assert not s2.committed


def _default_graph_is_the_union(root):
    """The store's default graph holds exactly the distinct triples of its named graphs."""
    import pyoxigraph as ox
    with Store.open(root, create=False) as st:
        union = {q.triple for q in st.quads()}
        default = [q.triple for q in st.quads(ox.DefaultGraph())]
        assert len(default) == len(set(default))
        assert set(default) == union, (len(set(default) - union), len(union - set(default)))
        return st.union_len(), len(st)


def test_default_graph_is_the_materialised_union_through_changes(corpus, tmp_path):
    root = tmp_path / "store"
    build([corpus], root, jobs=2)
    n_union, n_quads = _default_graph_is_the_union(root)
    assert n_union < n_quads                    # the seeds share entities: the union is smaller
    # a copy of a seed under another name and a changed copy: shared triples stay while one holder remains
    seeds = sorted(corpus.glob("*.txt"))
    text = seeds[0].read_text(encoding="utf-8")
    seeds[0].write_text(text + "\nEkstra linje.\n", encoding="utf-8")
    build([corpus], root, jobs=1)
    _default_graph_is_the_union(root)
    build(seeds[:2], root, jobs=1, prune=True)  # three documents' graphs removed
    n2, _ = _default_graph_is_the_union(root)
    assert n2 < n_union
    with Store.open(root, create=False) as st:
        munis = [r[0].value for r in st.query(
            "SELECT ?m WHERE { ?m a <https://w3id.org/kgdk/ontology#Municipality> }")]
        assert munis and len(munis) == len(set(munis))      # each triple once: no per-document duplicates
    build([corpus], root, jobs=1, prune=True)   # back to all five: same union as a fresh build
    build([corpus], tmp_path / "fresh", jobs=1)
    with Store.open(root, create=False) as a, Store.open(tmp_path / "fresh", create=False) as b:
        import pyoxigraph as ox
        assert sorted(map(str, a.quads(ox.DefaultGraph()))) == sorted(map(str, b.quads(ox.DefaultGraph())))


def test_exports_hold_the_named_graphs_only(corpus, tmp_path):
    root = tmp_path / "store"
    build([corpus], root, jobs=1)
    out = tmp_path / "all.nq"
    with Store.open(root, create=False) as st:
        st.dump(out, "nquads")
        n = len(st)
        u = st.union_len()
        st.dump(tmp_path / "all.nt", "ntriples")
    lines = [x for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == n and all(x.rstrip().endswith("> .") and x.count(" <") >= 1 for x in lines)
    nt = [x for x in (tmp_path / "all.nt").read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(nt) == u


def test_unchanged_files_are_not_read_again(corpus, tmp_path, monkeypatch):
    root = tmp_path / "store"
    old = time.time() - 3600
    files = sorted(corpus.glob("*.txt"))
    for f in files:
        os.utime(f, (old, old))
    build([corpus], root, jobs=1)
    first = nquads(root)
    # a file that changes keeps its size and gets a new mtime: it is read, and the change is seen
    f = files[1]
    t = f.read_text(encoding="utf-8")
    f.write_text(t.replace("a", "e", 1), encoding="utf-8")
    os.utime(f, (old + 10, old + 10))
    s = build([corpus], root, jobs=1)
    assert (s.unchanged, s.not_read, s.loaded, s.removed) == (4, 4, 1, 1)
    # the same content under the same mtime and size as recorded is trusted without reading
    s = build([corpus], root, jobs=1)
    assert (s.unchanged, s.not_read, s.loaded, s.committed) == (5, 5, 0, False)
    # --rehash reads every file again (and finds nothing new)
    s = build([corpus], root, jobs=1, rehash=True)
    assert (s.unchanged, s.not_read, s.loaded) == (5, 0, 0)
    # the original text back under its first mtime (not the one recorded last): read, reloaded, as before
    f.write_text(t, encoding="utf-8")
    os.utime(f, (old, old))
    s = build([corpus], root, jobs=1)
    assert (s.loaded, s.removed, s.not_read) == (1, 1, 4) and nquads(root) == first


def test_quad_count_is_kept_in_the_manifest(corpus, tmp_path):
    root = tmp_path / "store"
    files = sorted(corpus.glob("*.txt"))
    build(files[:3], root, jobs=1)
    for step in (lambda: build([corpus], root, jobs=1),
                 lambda: build(files[1:], root, jobs=1, prune=True)):
        s = step()
        with Store.open(root, create=False) as st:
            counted = len(st)
            assert st.quad_count() == counted == s.triples_total
            assert counted == sum(1 for _ in st.quads())


def test_stats_counts_quads_and_distinct_triples(corpus, tmp_path):
    from kg.stats import stats
    root = tmp_path / "store"
    build([corpus], root, jobs=1)
    with Store.open(root, create=False) as st:
        s = stats(st)
        assert s.quads == sum(1 for _ in st.quads()) and s.graphs == 5
        assert 0 < s.triples == len({q.triple for q in st.quads()}) < s.quads
        assert s.lines()[0] == f"{s.quads} quads, 5 document graphs, {s.triples} distinct triples in their union"


def test_revised_document_drops_from_the_union_what_only_it_stated(corpus, tmp_path):
    """A revision that removes text: the triples only the old version stated leave the union; the
    triples its new version states again stay (the successor shortcut of Writer.remove_graph)."""
    import pyoxigraph as ox
    root = tmp_path / "store"
    build([corpus], root, jobs=1)
    seeds = sorted(corpus.glob("*.txt"))
    for seed in seeds[:2]:                      # cut the second half of two documents
        lines = seed.read_text(encoding="utf-8").splitlines(keepends=True)
        seed.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    with Store.open(root, create=False) as st:
        before = set(map(str, st.quads(ox.DefaultGraph())))
    build([corpus], root, jobs=1, prune=True)
    build([corpus], tmp_path / "fresh", jobs=1)
    with Store.open(root, create=False) as a, Store.open(tmp_path / "fresh", create=False) as b:
        after = set(map(str, a.quads(ox.DefaultGraph())))
        fresh = set(map(str, b.quads(ox.DefaultGraph())))
    assert after == fresh
    assert before - after                       # the cut text had triples of its own: they are gone
    assert after & before                       # and what the new versions restate stayed
    _default_graph_is_the_union(root)


def test_input_paths_resolve_like_pathlib(tmp_path, monkeypatch):
    from pathlib import Path
    """The build's one-lstat path resolution gives Path.resolve()'s answer: symlinked directories and
    files, '..', relative paths; missing files and dangling links stay as given."""
    import os
    from kg.build import _real_path
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "sub" / "a.txt").write_text("x")
    (real / "b.txt").write_text("y")
    os.symlink(real, tmp_path / "dirlink")
    os.symlink(real / "b.txt", tmp_path / "filelink.txt")
    os.symlink(tmp_path / "nowhere.txt", tmp_path / "dangling.txt")
    monkeypatch.chdir(tmp_path)
    cases = ["dirlink/sub/a.txt", "dirlink/sub/../b.txt", "filelink.txt", str(tmp_path / "dirlink" / "b.txt"),
             "real/sub/a.txt", "./real/b.txt", "missing.txt", "dangling.txt", "dirlink/missing.txt"]
    dirs: dict = {}
    for c in cases:
        want = str(Path(c).resolve()) if Path(c).exists() else c
        assert _real_path(c, dirs) == want, c


def test_directory_inputs_are_listed_in_path_order(tmp_path):
    from kg.sources import iter_paths
    names = ["b/2.txt", "a/z.md", "a/b/c.txt", "a.txt", "a/.hidden.txt", ".h/x.txt", "c.pdf", "d.docx", "B.TXT"]
    for n in names:
        (tmp_path / n).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / n).write_text("x")
    got = [str(p.relative_to(tmp_path)) for p in iter_paths([tmp_path])]
    assert got == ["B.TXT", "a/b/c.txt", "a/z.md", "a.txt", "b/2.txt", "c.pdf"]   # by path components
