"""The README's CLI examples are true: every ```console block is run and its output compared.

In a ```console block, a line starting with "$ " is a command (run with bash in a scratch directory
that holds a link to examples/, with .venv/bin first on PATH; blocks run in order and share the
directory, so a store built in one block is queried in the next). The lines after a command are its
expected output (stdout and stderr together, trailing spaces ignored). A line "..." stands for any
number of lines. A command whose expected output ends in "(exit N)" must exit with N, else with 0.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def console_blocks(text: str) -> list[list[tuple[str, list[str]]]]:
    blocks = []
    for body in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        cmds: list[tuple[str, list[str]]] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                cmds.append((line[2:], []))
            elif cmds:
                cmds[-1][1].append(line.rstrip())
        blocks.append(cmds)
    return blocks


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line-by-line match where '...' matches any run of lines (including none)."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


def test_readme_has_console_examples():
    blocks = console_blocks(README.read_text(encoding="utf-8"))
    assert sum(len(b) for b in blocks) >= 8


def test_readme_opens_with_the_two_commands():
    head = README.read_text(encoding="utf-8").split("\n## ", 1)[0]
    assert "make run" in head and "make test" in head


def test_readme_examples_are_true(tmp_path):
    os.symlink(ROOT / "examples", tmp_path / "examples")
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("KG_STORE", None)
    env["COLUMNS"] = "200"
    failures = []
    for block in console_blocks(README.read_text(encoding="utf-8")):
        for cmd, expected in block:
            want_rc = 0
            if expected and (m := re.fullmatch(r"\(exit (\d+)\)", expected[-1])):
                want_rc = int(m.group(1))
                expected = expected[:-1]
            r = subprocess.run(["bash", "-c", cmd], cwd=tmp_path, env=env, capture_output=True,
                               text=True, timeout=300, stdin=subprocess.DEVNULL)
            actual = [l.rstrip() for l in (r.stdout + r.stderr).splitlines()]
            while actual and not actual[-1]:
                actual.pop()
            while expected and not expected[-1]:
                expected = expected[:-1]
            if r.returncode != want_rc or not matches(expected, actual):
                failures.append(f"$ {cmd}\n  exit {r.returncode} (want {want_rc})\n  got:\n    "
                                + "\n    ".join(actual[:60]))
    assert not failures, "README examples out of date:\n" + "\n".join(failures)
