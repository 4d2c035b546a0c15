"""docs/security.md tells the truth: every test it names exists, and every claim names one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")


def defined_tests() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        names.update(re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M))
    return names


def test_every_test_the_document_names_exists():
    named = set(re.findall(r"`(?:tests/\w+\.py::)?(test_\w+)`", DOC))
    assert named, "the document names no test"
    assert sorted(named - defined_tests()) == []


def test_every_file_and_script_the_document_names_exists():
    paths = set(re.findall(r"`((?:tests|scripts)/[\w.-]+\.(?:py|sh))", DOC))
    assert sorted(p for p in paths if not (ROOT / p).is_file()) == []


def test_every_claim_in_a_table_names_its_proof():
    rows = [
        line
        for line in DOC.splitlines()
        if line.startswith("| ") and not line.startswith("| 守ること") and "---" not in line
    ]
    claims = [row for row in rows if row.count("|") == 4]  # 守ること | どうやって | 示すテスト
    assert claims
    unproven = [
        row.split("|")[1].strip()
        for row in claims
        if not re.search(r"`(tests/|scripts/|test_)", row.split("|")[3])
    ]
    assert unproven == []
