"""The written 事業報告 (総括): a draft paragraph per 事業 and per 係, from the book's rows.

A council's 事業報告 is text as well as a table: what was planned, what was done (figures,
達成率), what was cancelled and why, where it fell short and the reasons given. These rules
draft that text from the same rows the 事業報告 prints (``books.reports.ReportRow``, read
on the book's basis: approved figures only unless an internal book is asked for); the 係
edits the draft on screen and the book prints the edited text, marked as edited.

Pure Python: the rows are read through the small protocol below.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from results.status import Status
from targets.display import format_number

EDITED_MARK = "（係で編集）"
MAX_NAMED_SHORTFALLS = 5


class SummaryRow(Protocol):
    """What a sentence reads of a row (``books.reports.ReportRow`` provides it)."""

    group: str
    name: str
    detail: str
    target_text: str
    kind: str
    unit: str
    actual: Decimal | str | None
    extras: str
    rate: Decimal | None
    status: Status
    cancel_reason: str
    latest_reason: str
    aggregation: str


# 「(1)理事会」「（２）」「1)」: the plan's numbering is not part of the subject.
_NUMBERING = re.compile(r"^\s*[（(]?\s*[0-9０-９]+\s*[)）]\s*")
# A subject that names its own verb: 「協力員活動説明会の開催」 → 協力員活動説明会 / 開催.
_VERB_SUFFIX = re.compile(r"^(?P<subject>.+)の(?P<verb>開催|実施|発行|派遣|作成)$")
# 「後見人のつどい開催」: 開催 closes the name without の.
_HELD_SUFFIX = re.compile(r"^(?P<subject>.+[^の])(?P<verb>開催)$")
_WHITESPACE = re.compile(r"\s+")


def subject_and_verb(row: SummaryRow) -> tuple[str, str]:
    """The row's subject as a sentence starts it, and the verb its figures take."""
    name = _NUMBERING.sub("", row.name or "").strip() or _NUMBERING.sub("", row.group).strip()
    name = _WHITESPACE.sub("", name)
    match = _VERB_SUFFIX.match(name) or _HELD_SUFFIX.match(name)
    if match and len(match["subject"]) >= 2:
        return match["subject"], match["verb"]
    context = f"{row.detail}{row.target_text}{row.group}"
    for verb in ("開催", "発行", "派遣"):
        if verb in context:
            return name, verb
    return name, "実施"


def planned_text(target_text: str) -> str:
    """The 目標値 as the sentence quotes it: 「7回予定」 → 「7回」, spaces folded."""
    text = _WHITESPACE.sub("", target_text)
    return re.sub(r"(を予定|予定|を(作成|実施|評価|開催|発行)(する)?)$", "", text) or text


def yen_text(amount: Decimal) -> str:
    """Money as a report writes it: 万円 from ten thousand yen (one decimal at most)."""
    if amount >= 10_000:
        man = (amount / 10_000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{format_number(man.normalize() if man == man.to_integral() else man)}万円"
    return f"{format_number(amount)}円"


def amount_text(value: Decimal, unit: str) -> str:
    if unit == "円":
        return yen_text(value)
    return f"{format_number(value)}{unit}"


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    return text if text.endswith("。") else f"{text}。"


def _reason_sentence(reason: str) -> str:
    """The 係's own words, quoted as such after the figures."""
    reason = " ".join(reason.split())
    return _sentence(f"理由・今後の対応：{reason}") if reason else ""


def _when(quarter: int) -> str:
    """「第2四半期までに」 within the year; nothing once the year is complete."""
    return "" if quarter >= 4 else f"第{quarter}四半期までに"


def _cancelled(subject: str, reason: str) -> str:
    # 「…拡大防止のため中止」: the sentence says 中止 itself.
    reason = re.sub(r"(中止(した|しました|する)?)$", "", reason.strip().rstrip("。")).rstrip("、")
    if not reason:
        return f"{subject}は中止した。"
    if reason.endswith(("ため", "ので", "により", "によって")):
        return f"{subject}は{reason}中止した。"
    return f"{subject}は中止した（理由：{reason}）。"


def row_sentence(row: SummaryRow, quarter: int) -> str:
    """One row's sentence at ``quarter`` ("" for rows with nothing to say)."""
    status = row.status
    subject, verb = subject_and_verb(row)
    if not subject:
        return ""
    if status == Status.CANCELLED:
        return _cancelled(subject, row.cancel_reason)
    if status in (Status.NOT_ENTERED, Status.NO_TARGET):
        return ""
    if status in (Status.DONE, Status.NOT_DONE) or row.kind != "quantity":
        return _qualitative(row, subject, verb, quarter)
    return _quantity(row, subject, verb, quarter)


def _qualitative(row: SummaryRow, subject: str, verb: str, quarter: int) -> str:
    if row.status == Status.DONE:
        note = row.actual.strip() if isinstance(row.actual, str) else ""
        note = re.sub(r"^（第[1-4]四半期）", "", note.split("\n")[-1]).strip().rstrip("。")
        done = f"{subject}は{verb}した"
        return f"{done}（{note}）。" if note else f"{done}。"
    if row.status == Status.NOT_DUE:
        return f"{subject}は今後{verb}する予定である。"
    when = f"第{quarter}四半期までは" if quarter < 4 else ""
    return f"{subject}は{when}{verb}していない。" + _reason_sentence(row.latest_reason)


def _quantity(row: SummaryRow, subject: str, verb: str, quarter: int) -> str:
    plan = planned_text(row.target_text)
    actual = row.actual if isinstance(row.actual, Decimal) else None
    rate = f"達成率{row.rate:.1f}%" if row.rate is not None else ""
    extras = [row.extras] if row.extras else []
    note = "、".join([*extras, rate]) if (extras or rate) else ""
    note = f"（{note}）" if note else ""
    if row.status == Status.NOT_DUE:
        return f"{subject}は{plan}の予定で、今後{verb}する。"
    if actual is None or actual == 0:
        when = f"第{quarter}四半期までは" if quarter < 4 else ""
        return f"{subject}は{plan}の予定に対し、{when}{verb}していない。" + _reason_sentence(
            row.latest_reason
        )
    figure = amount_text(actual, row.unit)
    if row.aggregation == "level":
        at = f"第{quarter}四半期末時点で" if quarter < 4 else "年度末時点で"
        done = f"{subject}は{plan}の目標に対し、{at}{figure}となった{note}。"
    elif row.unit == "円":
        done = f"{subject}は{plan}の予定に対し、{_when(quarter)}{figure}となった{note}。"
    elif row.status == Status.ACHIEVED:
        done = (
            f"{subject}は{plan}の予定に対し{_when(quarter)}{figure}{verb}し、目標を達成した{note}。"
        )
    elif row.status == Status.BEHIND:
        done = f"{subject}は{plan}の予定に対し{_when(quarter)}{figure}の{verb}にとどまった{note}。"
    else:
        done = f"{subject}は{plan}の予定に対し{_when(quarter)}{figure}{verb}した{note}。"
    if row.status.is_shortfall:
        done += _reason_sentence(row.latest_reason)
    return done


def business_paragraph(rows: Iterable[SummaryRow], quarter: int, *, approved: bool = True) -> str:
    """The draft 総括 of one 事業: its rows' sentences, in the plan's order."""
    sentences = [s for s in (row_sentence(row, quarter) for row in rows) if s]
    pending = (
        "" if approved else f"第{quarter}四半期の実績は課長の承認前のため、まだ記載していない。"
    )
    if not sentences:
        return pending or f"第{quarter}四半期までに報告できる実績はまだない。"
    return "".join(sentences) + pending


def section_paragraph(
    section: str, rows: Sequence[SummaryRow], quarter: int, *, approved: bool
) -> str:
    """The draft 総括 of a 係: how its rows stand, which fall short, and its approval."""
    judged = [row for row in rows if row.status != Status.NO_TARGET]
    counts = Counter(row.status for row in judged)
    parts = [f"{status.value}{counts[status]}項目" for status in Status if counts[status]]
    when = f"第{quarter}四半期" if quarter < 4 else "年度末"
    text = f"{section}は、目標のある{len(judged)}項目のうち、{when}時点で{'、'.join(parts)}である。"
    if not judged:
        text = f"{section}には目標のある項目がない。"
    short = [subject_and_verb(row)[0] for row in judged if row.status.is_shortfall]
    if short:
        named = "、".join(short[:MAX_NAMED_SHORTFALLS])
        more = (
            f"ほか{len(short) - MAX_NAMED_SHORTFALLS}項目"
            if len(short) > MAX_NAMED_SHORTFALLS
            else ""
        )
        text += f"遅れ・未着手は{named}{'、' + more if more else ''}で、理由と今後の対応を各事業に記載した。"
    cancelled = [subject_and_verb(row)[0] for row in judged if row.status == Status.CANCELLED]
    if cancelled:
        text += f"中止は{len(cancelled)}項目（{'、'.join(cancelled[:MAX_NAMED_SHORTFALLS])}{'ほか' if len(cancelled) > MAX_NAMED_SHORTFALLS else ''}）である。"
    if not approved:
        text += f"第{quarter}四半期の実績は課長の承認前のため、含めていない。"
    return text
