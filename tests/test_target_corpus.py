"""The 目標値 parser against real target and result texts of other councils and cities.

``tests/data/target_corpus.tsv`` holds texts taken from published 社協 事業計画 / 事業報告,
地域福祉活動計画 and municipal KPI sheets, each with its source and its meaning worked out
by hand (never from the parser's output): the main figure with its unit (「2400000円」),
「実施・未実施」 for a target without a figure, or 「要確認」 where a person could not say the
figure from the text alone either (no unit, one figure per year, an upper bound …).

Each text is judged as the issue asks: understood (the hand reading, with no 要確認), or
flagged (要確認: a person looks, nothing is wrong), or silently wrong (a confident reading
that is not the hand reading). docs/target-corpus.md reports the figures.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from targets.parser import parse_target
from targets.types import Kind

CORPUS = Path(__file__).parent / "data" / "target_corpus.tsv"
QUALITATIVE = "実施・未実施"
REVIEW = "要確認"
_FIGURE = re.compile(r"(?P<value>[0-9]+(?:\.[0-9]+)?)(?P<unit>\D+)")


@dataclass(frozen=True)
class Entry:
    text: str
    expected: str
    source: str


def load_corpus() -> list[Entry]:
    with CORPUS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [Entry(row["text"], row["expected"], row["source"]) for row in rows]


ENTRIES = load_corpus()


def judge(entry: Entry) -> str:
    """「understood」, 「flagged」 or 「wrong」 (silently wrong) for one entry."""
    parsed = parse_target(entry.text)
    if parsed.needs_review:
        return "flagged"
    if entry.expected == REVIEW:
        return "wrong"
    if entry.expected == QUALITATIVE:
        return "understood" if parsed.kind == Kind.QUALITATIVE else "wrong"
    figure = _FIGURE.fullmatch(entry.expected)
    assert figure is not None, entry
    main = parsed.main
    if (
        parsed.kind == Kind.QUANTITY
        and main is not None
        and main.value == Decimal(figure["value"])
        and main.unit == figure["unit"]
    ):
        return "understood"
    return "wrong"


def test_the_corpus_is_large_varied_and_well_formed() -> None:
    texts = [e.text for e in ENTRIES]
    assert len(texts) >= 300
    assert len(set(texts)) == len(texts), "a text is listed twice"
    for entry in ENTRIES:
        assert entry.source.startswith("http"), entry
        assert entry.expected in (QUALITATIVE, REVIEW) or _FIGURE.fullmatch(entry.expected), entry
    assert len({e.source.split()[0] for e in ENTRIES}) >= 40, "texts from many documents"


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.text[:40] for e in ENTRIES])
def test_no_text_of_the_corpus_is_silently_wrong(entry: Entry) -> None:
    assert judge(entry) != "wrong", parse_target(entry.text)


def test_at_least_95_percent_of_the_readable_texts_are_understood_without_review() -> None:
    readable = [e for e in ENTRIES if e.expected != REVIEW]
    understood = [e for e in readable if judge(e) == "understood"]
    assert len(understood) >= len(readable) * 95 / 100, [
        (e.text, e.expected) for e in readable if judge(e) != "understood"
    ]
