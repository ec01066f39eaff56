"""Store integrity under kills, concurrency and version changes (issue 8).

* SIGKILL `kg build` at spread-out moments (>= 20 times, incl. first builds into an empty
  store): the store is then exactly as before or exactly complete (sorted N-Quads compared
  with the two legal states), and the next build succeeds and gives the complete state.
* Two builds at once: each one succeeds or refuses with one clear line (exit 2); never a
  broken store. A build meeting a held writer lock refuses, or waits with --wait.
* Rebuilding the same inputs gives byte-identical sorted N-Quads (fresh, incremental,
  repeated, and through `kg export --format nquads`).
* A store of an older schema version is detected: reads refuse with a clear message,
  `kg build` rebuilds it from scratch.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.store import Store, StoreError, StoreVersionError

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "minutes").glob("*.txt"))
KG = str(Path(sys.executable).with_name("kg"))
KILLS_UPDATE = 16        # kills while updating an existing store
KILLS_FIRST = 6          # kills during the first build into an empty store


def run_build(*args, check=True, timeout=300, hashseed=None):
    env = dict(os.environ, PYTHONHASHSEED=str(hashseed)) if hashseed is not None else None
    p = subprocess.run([KG, "build", *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)
    if check and p.returncode != 0:
        raise AssertionError(f"kg build {args} -> {p.returncode}\n{p.stderr[-3000:]}")
    return p


def dump(store: Path):
    """Sorted N-Quads of the live store (bytes), or None when there is no store yet."""
    try:
        st = Store.open(store, create=False)
    except StoreVersionError:
        raise
    except StoreError as e:
        if "no kg store" in str(e):
            return None
        raise
    try:
        data = ox.serialize(st.quads(), format=ox.RdfFormat.N_QUADS)
    finally:
        st.close()
    lines = sorted(ln for ln in data.split(b"\n") if ln)
    return b"\n".join(lines) + b"\n"


def diff(a, b, n: int = 4) -> str:
    """A few lines only in a (+) or only in b (-), for assertion messages."""
    if a is None or b is None:
        return f"one side has no store: {a is None}, {b is None}"
    sa, sb = set(a.split(b"\n")), set(b.split(b"\n"))
    return "\n".join([f"+ {x[:240]!r}" for x in sorted(sa - sb)[:n]] + [f"- {x[:240]!r}" for x in sorted(sb - sa)[:n]])


def copy_store(src: Path, dst: Path) -> Path:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=True)
    return dst


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """Inputs and the legal states: A = first three seeds, B = A plus the other two (incremental)."""
    d = tmp_path_factory.mktemp("integrity")
    in_a, in_b = d / "in_a", d / "in_b"
    in_a.mkdir()
    in_b.mkdir()
    for p in SEEDS[:3]:
        shutil.copy(p, in_a / p.name)
    for p in SEEDS[3:]:
        shutil.copy(p, in_b / p.name)
    store_a = d / "store_a"
    run_build(in_a, "--store", store_a, "-j", "1")
    store_b = copy_store(store_a, d / "store_b")
    t0 = time.monotonic()
    run_build(in_a, in_b, "--store", store_b, "-j", "1")
    t_update = time.monotonic() - t0
    store_bf = d / "store_b_fresh"
    t0 = time.monotonic()
    run_build(in_a, in_b, "--store", store_bf, "-j", "1")
    t_fresh = time.monotonic() - t0
    empty = d / "store_empty"
    Store.open(empty, create=True).close()       # what `kg build` creates before its first write
    st = dict(dir=d, in_a=in_a, in_b=in_b, store_a=store_a, A=dump(store_a), B=dump(store_b), EMPTY=dump(empty),
              B_fresh=dump(store_bf), t_update=t_update, t_fresh=t_fresh)
    assert st["A"] and st["B"] and st["A"] != st["B"]
    assert st["EMPTY"] and b"schemaVersion" in st["EMPTY"] and st["EMPTY"].count(b"\n") == 1, st["EMPTY"]
    return st


# --------------------------------------------------------------------------- determinism
def test_rebuild_is_byte_identical(states, tmp_path):
    """Same inputs -> byte-identical sorted N-Quads: fresh vs incremental, twice fresh, rebuild in place."""
    assert states["B"] == states["B_fresh"], \
        f"incremental build differs from a fresh build of the same inputs\n{diff(states['B'], states['B_fresh'])}"
    s2 = tmp_path / "again"
    run_build(states["in_a"], "--store", s2, "-j", "2", hashseed=12345)
    assert dump(s2) == states["A"], "a second fresh build (other -j, other PYTHONHASHSEED) differs"
    run_build(states["in_a"], "--store", s2)
    assert dump(s2) == states["A"], "rebuilding in place changed the store"
    # through the CLI export as well
    out = tmp_path / "a.nq"
    p = subprocess.run([KG, "export", "--format", "nquads", "-o", str(out), "--store", str(s2)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = sorted(ln for ln in out.read_bytes().split(b"\n") if ln)
    assert b"\n".join(lines) + b"\n" == states["A"]


# --------------------------------------------------------------------------- SIGKILL
def _kill_at(cmd, delay: float, group: bool) -> int:
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        p.wait(timeout=delay)
        return p.returncode                       # finished before the kill point
    except subprocess.TimeoutExpired:
        pass
    if group:
        os.killpg(p.pid, signal.SIGKILL)          # the build and its worker processes
    else:
        p.send_signal(signal.SIGKILL)             # only the build: its workers become orphans
    p.wait()
    try:
        os.killpg(p.pid, signal.SIGKILL)          # clean up orphans (they are ours)
    except ProcessLookupError:
        pass
    return -9


def test_sigkill_build_leaves_store_before_or_complete(states, tmp_path):
    rng = random.Random(8)
    outcomes = {"before": 0, "complete": 0, "finished": 0}
    cases = [("update", i) for i in range(KILLS_UPDATE)] + [("first", i) for i in range(KILLS_FIRST)]
    for kind, i in cases:
        store = tmp_path / f"k-{kind}-{i}"
        n = KILLS_UPDATE if kind == "update" else KILLS_FIRST
        t = states["t_update"] if kind == "update" else states["t_fresh"]
        # spread the kill points over the whole build (start-up, parse, load, swap, clean-up)
        delay = max(0.02, (i + rng.random()) / n * t * 1.1)
        if kind == "update":
            copy_store(states["store_a"], store)
            before = states["A"]
        else:
            # "as before" for a first build: no store, or the empty initialised store (schema version only;
            # no data). Store.open(create=True) makes that live before the build's own transaction.
            before = None
        jobs = "1" if i % 2 == 0 else "2"
        cmd = [KG, "build", str(states["in_a"]), str(states["in_b"]), "--store", str(store), "-j", jobs]
        rc = _kill_at(cmd, delay, group=(i % 3 != 0))
        after = dump(store)
        complete = states["B"] if kind == "update" else states["B_fresh"]
        legal_before = (before,) if kind == "update" else (None, states["EMPTY"])
        assert after in legal_before + (complete,), \
            f"{kind} kill #{i} at {delay:.2f}s (rc {rc}): store is neither as before nor complete"
        outcomes["finished" if rc == 0 else ("before" if after in legal_before else "complete")] += 1
        p = run_build(states["in_a"], states["in_b"], "--store", store, "-j", "1", check=False)
        assert p.returncode == 0, f"build after {kind} kill #{i} at {delay:.2f}s failed:\n{p.stderr[-2000:]}"
        now = dump(store)
        assert now == complete, f"build after {kind} kill #{i}: not the complete state\n{diff(now, complete)}"
        # no staging leftovers beyond the live version and its predecessor
        versions = [x for x in store.iterdir() if x.name.startswith("v-")]
        assert len(versions) <= 2, sorted(x.name for x in versions)
        shutil.rmtree(store)
    assert sum(outcomes.values()) == len(cases) >= 20
    # the kills must actually have interrupted builds, not only hit finished ones
    assert outcomes["before"] + outcomes["complete"] >= len(cases) // 2, outcomes


# --------------------------------------------------------------------------- concurrency
def test_two_builds_at_once(states, tmp_path):
    for i in range(3):
        store = copy_store(states["store_a"], tmp_path / f"c{i}")
        cmd = [KG, "build", str(states["in_a"]), str(states["in_b"]), "--store", str(store), "-j", "1"]
        p1 = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        p2 = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        r = [(p.wait(300), p.communicate()[1]) for p in (p1, p2)]
        assert any(rc == 0 for rc, _ in r), r
        for rc, err in r:
            if rc != 0:
                assert rc == 2, (rc, err)
                lines = [ln for ln in err.splitlines() if ln.strip()]
                assert len(lines) == 1 and str(store) in lines[0] and "another kg process" in lines[0], err
        assert dump(store) == states["B"]


def test_build_refuses_or_waits_while_locked(states, tmp_path):
    store = copy_store(states["store_a"], tmp_path / "locked")
    cmd = [KG, "build", str(states["in_a"]), str(states["in_b"]), "--store", str(store), "-j", "1"]
    st = Store.open(store, create=False)
    try:
        with st.writer() as w:                       # hold the writer lock, change nothing
            w.discard = True
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
            assert p.returncode == 2, (p.returncode, p.stderr)
            assert "another kg process" in p.stderr and str(store) in p.stderr, p.stderr
            waiting = subprocess.Popen(cmd + ["--wait"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       text=True)
            time.sleep(3)
            assert waiting.poll() is None, "kg build --wait did not wait for the lock"
            assert dump(store) == states["A"]
    finally:
        st.close()
    assert waiting.wait(300) == 0, waiting.stderr.read()
    assert dump(store) == states["B"]


# --------------------------------------------------------------------------- schema version
def _set_schema_version(store: Path, version: int) -> None:
    from kg.mapping import SCHEMA_VERSION_P
    from kg import iris
    st = Store.open(store, create=False)
    meta = ox.NamedNode(iris.meta_graph())
    with st.writer() as w:
        for q in list(w.db.quads_for_pattern(meta, ox.NamedNode(SCHEMA_VERSION_P), None, meta)):
            w.db.remove(q)
        w.db.add(ox.Quad(meta, ox.NamedNode(SCHEMA_VERSION_P),
                         ox.Literal(str(version), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                         meta))
    st.close()


def test_older_schema_version_detected_and_rebuilt(states, tmp_path):
    store = copy_store(states["store_a"], tmp_path / "old")
    _set_schema_version(store, 0)
    with pytest.raises(StoreVersionError) as e:
        Store.open(store, create=False)
    assert str(store) in str(e.value) and "schema version" in str(e.value)
    p = subprocess.run([KG, "query", "ASK { ?s ?p ?o }", "--store", str(store)], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 2 and "schema version" in p.stderr and "Traceback" not in p.stderr, p.stderr
    p = subprocess.run([KG, "serve", "--store", str(store), "--port", "0"], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode != 0 and "schema version" in p.stderr and "Traceback" not in p.stderr, p.stderr
    # kg build rebuilds it from scratch: the result equals a fresh build of the same inputs
    p = run_build(states["in_a"], "--store", store, "-j", "1")
    assert dump(store) == states["A"]


def test_plain_oxigraph_dir_is_refused(tmp_path, states):
    old = tmp_path / "plain"
    db = ox.Store(str(old))
    db.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c")))
    db.flush()
    del db
    import gc
    gc.collect()
    p = run_build(states["in_a"], "--store", old, check=False)
    assert p.returncode == 2 and str(old) in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert len([ln for ln in p.stderr.splitlines() if ln.strip()]) == 1, p.stderr


# --------------------------------------------------------------------------- bad inputs in a build
def test_build_with_bad_inputs_loads_the_others(states, tmp_path):
    """Empty, binary and NUL-laden files among good ones: one stderr line naming each bad file, exit 1,
    the good documents loaded exactly as without the bad files."""
    d = tmp_path / "mixed"
    d.mkdir()
    for p in states["in_a"].iterdir():
        shutil.copy(p, d / p.name)
    bad = {"empty.txt": b"", "binary.txt": bytes(range(256)) * 40, "nul.md": b"\x00" * 5000,
           "blank.txt": b"   \n\n\t \r\n"}
    for name, data in bad.items():
        (d / name).write_bytes(data)
    store = tmp_path / "s"
    p = run_build(d, "--store", store, "-j", "1", check=False)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert "Traceback" not in p.stderr
    err_lines = [ln for ln in p.stderr.splitlines() if ln.startswith("error:")]
    for name in bad:
        hits = [ln for ln in err_lines if name in ln]
        assert len(hits) == 1, (name, err_lines)
    good = tmp_path / "good"
    run_build(states["in_a"], "--store", good, "-j", "1")
    strip = lambda b: b"\n".join(ln for ln in b.split(b"\n") if b"sourcePath" not in ln)  # noqa: E731
    assert strip(dump(store)) == strip(dump(good))
