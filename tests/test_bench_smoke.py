"""Smoke test of the benchmark harness (bench/run.py) at a tiny size: it runs end to end, writes its
reports, and the graph built from the synthetic corpus holds the counts the generator put in.
No timing assertions (speed is what the benchmark reports, not what tests check)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_small_run(tmp_path):
    env = dict(os.environ, BENCH_DOCS="30", BENCH_REPORT_DIR=str(tmp_path), BENCH_WORK=str(tmp_path / "work"),
               BENCH_PROFILE_DOCS="10", BENCH_RDFLIB_CAP="20000", BENCH_SHACL_DOCS="5", BENCH_QUERY_RUNS="1",
               BENCH_RDFLIB_TIMEOUT="120", BENCH_QUERY_TIMEOUT="60", BENCH_STAGE_DOCS="30")
    p = subprocess.run([sys.executable, "-m", "bench.run"], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=900)
    rep_file = tmp_path / "report.json"
    assert rep_file.exists(), p.stderr[-3000:]
    assert (tmp_path / "report.md").read_text(encoding="utf-8").startswith("# kg benchmark")
    rep = json.loads(rep_file.read_text(encoding="utf-8"))
    S = rep["sections"]
    for name in ("synth", "stages", "build", "counts", "incremental", "queries", "shacl", "export", "profile"):
        assert "error" not in S[name], (name, S[name].get("error"), S[name].get("traceback", "")[-1500:])
    assert S["synth"]["expected"]["documents"] == 30
    assert S["build"]["documents"] == 30 and S["build"]["quads"] > 0
    cnt = S["counts"]
    assert cnt["passed"], cnt.get("table")
    assert cnt["table"]["documents"]["graph"] == 30
    assert cnt["table"]["items"]["graph"] == cnt["table"]["items"]["expected"]
    assert p.returncode == 0, p.stderr[-3000:]
    assert rep["machine"]["cores_logical"] >= 1
