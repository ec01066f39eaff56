"""kg.io: outputs are written whole (temp + rename) and get ordinary permissions."""
import os
import stat

import pytest

from kg.io import atomic_output, atomic_write_text


def _mode(p):
    return stat.S_IMODE(os.stat(p).st_mode)


def test_atomic_write_gives_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.json", "{}")
        with atomic_output(tmp_path / "b.ttl") as tmp:
            tmp.write_text("x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a.json") == 0o644
    assert _mode(tmp_path / "b.ttl") == 0o644


def test_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / "out.gexf"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.gexf"]
