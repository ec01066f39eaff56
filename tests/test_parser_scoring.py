"""Shared helpers for the parser tests (no tests here): run `kg extract` and score with tools/score.py."""
from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold"
SEEDS = ROOT / "examples" / "minutes"
VARIANTS = ROOT / "tests" / "variants"

# the quality bar of issue 3 (tools/score.py field -> minimum F1)
THRESHOLDS = {
    "meeting.municipality": 0.95, "meeting.committee": 0.95, "meeting.date": 0.95, "meeting.start_time": 0.95,
    "members": 0.95, "absent": 0.95, "items": 0.95, "items.case_numbers": 0.95, "items.outcomes": 0.95,
    "items.decision": 0.95, "items.attachments": 0.95,
    "members.party": 0.90, "members.role": 0.90, "items.absent": 0.90, "items.other_decisions": 0.90,
    "meeting.location": 0.90,
}


def scorer():
    spec = importlib.util.spec_from_file_location("kg_score", ROOT / "tools" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def extract(paths, out_dir: Path) -> None:
    from click.testing import CliRunner
    from kg.cli import main
    res = CliRunner().invoke(main, ["extract", *map(str, paths), "--out", str(out_dir)])
    assert res.exit_code == 0, res.output


def score(gold_files, pred_dir: Path, tmp: Path) -> dict:
    """F1 (and counts) per field for the given gold files against pred_dir."""
    gdir = tmp / "gold"
    gdir.mkdir(exist_ok=True)
    for g in gold_files:
        shutil.copy(g, gdir / Path(g).name)
    F, missing = scorer().score(gdir, pred_dir)
    assert not missing, missing
    return {k: v.scores()[2] for k, v in F.items()}


def below(f1: dict, thresholds=THRESHOLDS) -> dict:
    return {k: round(f1[k], 3) for k, t in thresholds.items() if f1[k] < t}


def table(f1: dict) -> str:
    return "\n".join(f"{k:28} {f1[k]:.3f}" for k in THRESHOLDS)


def load(path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
