"""Whatever is typed as a 目標値, the parser answers with a well-formed structure."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from targets.parser import _normalise, parse_target, target_from_dict, target_to_dict
from targets.types import Kind, ParsedTarget

# Pieces of real targets and schedules, and the characters around them.
PIECES = [
    *"0123456789０１２３４５６７８９",
    *",，.．~～〜-－―ー×xX*/／()（）、・ 　「」",
    "年", "年間", "月", "日", "週", "毎月", "第2火曜日", "奇数月の", "か月に", "四半期に",
    "回", "件", "人", "名", "円", "万", "千", "か所", "ケ所", "ヶ所", "ｹ所", "カ所", "箇所",
    "団体", "時間", "事業所", "項目", "校", "予定", "程度", "約", "増", "減", "以内", "中",
    "各", "新規", "計", "延べ", "上半期", "下半期", "前期", "まで", "末日", "までに", "から",
    "に", "を", "実施", "開催", "随時", "通年", "適宜", "令和", "元", "田無", "保谷", "数",
    "参加者", "HP", "ﾌｫﾛﾜｰ", "\x00", "\u200b", "①", "½", "٣",
]  # fmt: skip
ALPHABET = "".join(sorted({ch for piece in PIECES for ch in piece}))

texts = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=ALPHABET, max_size=40),
    st.lists(st.sampled_from(PIECES), max_size=25).map("".join),
)


_NUMBER = re.compile(r"[0-9]+(?:[,.][0-9]+)*")


def assert_well_formed(parsed: ParsedTarget, text: str) -> None:
    assert parsed.text == text
    assert parsed.kind in set(Kind)
    assert "予期しないエラー" not in "".join(parsed.notes), parsed.notes
    assert parsed.needs_review == bool(parsed.notes)
    assert (parsed.kind == Kind.QUANTITY) == bool(parsed.quantities)
    for quantity in parsed.quantities + tuple(q for part in parsed.parts for q in part.quantities):
        assert quantity.value >= 0
        assert quantity.max is None or quantity.max > quantity.value
    months = parsed.months
    assert all(1 <= m <= 12 for m in months)
    assert len(set(months)) == len(months)
    assert list(months) == sorted(months, key=lambda m: (m - 4) % 12)
    assert set(parsed.halves) <= {1, 2}
    for month in (parsed.deadline_month, parsed.start_month):
        assert month is None or 1 <= month <= 12
    assert parsed.of_total is None or parsed.of_total >= 0
    if not parsed.needs_review:
        # Never a wrong number: each number written has a role, or the text is 要確認.
        written = _NUMBER.findall(_normalise(text))
        with_role = [m for number in parsed.numbers for m in _NUMBER.findall(number.text)]
        assert len(with_role) >= len(written), (written, parsed.numbers)
    as_json = json.dumps(target_to_dict(parsed), ensure_ascii=False)
    assert target_from_dict(json.loads(as_json)) == parsed


@settings(max_examples=400, deadline=None)
@given(texts)
def test_any_text_parses_to_a_well_formed_target(text: str) -> None:
    assert_well_formed(parse_target(text), text)


@settings(max_examples=200, deadline=None)
@given(texts, texts)
def test_any_detail_parses_to_a_well_formed_target(text: str, detail: str) -> None:
    assert_well_formed(parse_target(text, detail), text)
