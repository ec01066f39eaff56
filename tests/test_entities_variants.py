"""Generalisation check: minutes written for this test (other municipalities,
funders, amount notations and project phrasings than the seeds), each with an
expected annotation in the gold format, scored with tools/score.py.

The municipality is taken from the expected file so that this test measures
entity extraction, not the header parser."""
import importlib.util
import json
from dataclasses import replace
from pathlib import Path

import pytest

from kg.extract import to_json
from kg.parsers import parse_document
from kg.parsers.entities import extract_entities
from kg.sources import read_source

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = sorted((ROOT / "tests" / "entity_variants").glob("*.txt"))
_spec = importlib.util.spec_from_file_location("score", ROOT / "tools" / "score.py")
score = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(score)

FIELDS = ["organizations", "mentioned_municipalities", "persons", "projects", "projects.funders",
          "projects.municipalities", "grants", "grants.amount"]


def _predict(path: Path) -> dict:
    gold = json.loads(path.with_suffix(".json").read_text())
    src = read_source(path)
    doc = replace(parse_document(src), municipality=gold["municipality"])
    return to_json(extract_entities(doc, src))


@pytest.mark.parametrize("path", VARIANTS, ids=[p.stem for p in VARIANTS])
def test_variant_matches_expected(path):
    gold = json.loads(path.with_suffix(".json").read_text())
    pred = _predict(path)
    res = score.score_doc(gold, pred)
    bad = {f: (res[f].tp, res[f].fp, res[f].fn) for f in FIELDS if res[f].fp or res[f].fn}
    assert not bad, f"{path.name}: (tp, fp, fn) per field {bad}\n{json.dumps(pred, ensure_ascii=False)[:3000]}"


def test_variants_exist():
    assert len(VARIANTS) >= 3
