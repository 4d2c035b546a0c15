"""How a parsed target is shown to people: short Japanese phrases. Pure Python."""

from __future__ import annotations

from decimal import Decimal

from .types import Kind, ParsedTarget, Quantity


def format_number(value: Decimal) -> str:
    """2100 → 「2,100」, 1.50 → 「1.5」: thousands separators, no trailing zeros."""
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        return f"{int(normalized):,}"
    return f"{normalized:,f}"


def describe_quantity(quantity: Quantity) -> str:
    number = format_number(quantity.value)
    if quantity.max is not None:
        number = f"{number}〜{format_number(quantity.max)}"
    text = f"{number}{quantity.unit}"
    if quantity.increase:
        text += "増"
    if quantity.per:
        text += f"/{quantity.per}"
    if quantity.label:
        text = f"{quantity.label} {text}"
    if quantity.approximate:
        text += "（程度）"
    if quantity.planned:
        text += "（予定）"
    return text


def describe_schedule(target: ParsedTarget) -> list[str]:
    phrases: list[str] = []
    if target.dates:
        phrases.append("・".join(f"{d.year}年{d.month}月{d.day}日" for d in target.dates))
    elif target.months:
        phrases.append("・".join(f"{m}月" for m in target.months))
    if target.halves:
        phrases.append("・".join("上半期" if h == 1 else "下半期" for h in target.halves))
    if target.deadline_month:
        phrases.append(f"{target.deadline_month}月末まで")
    if target.start_month:
        phrases.append(f"{target.start_month}月から")
    if target.cadence:
        phrases.append(target.cadence)
    if target.times:
        phrases.append("・".join(target.times))
    return phrases


def describe_target(target: ParsedTarget) -> list[str]:
    """What the system understood, as short phrases (「24回/年」, 「月2回」, 「5月・11月」)."""
    if target.kind == Kind.NONE:
        return ["目標なし"]
    phrases: list[str] = []
    if target.kind == Kind.QUALITATIVE:
        phrases.append(f"実施・未実施（{target.qualitative_text or target.text}）")
    for position, quantity in enumerate(target.quantities):
        text = describe_quantity(quantity)
        if position == 0 and target.of_total is not None:
            text = f"{format_number(target.of_total)}{quantity.unit}中 {text}"
        phrases.append(text)
    if target.factors:
        phrases.append("×".join(f"{format_number(f.value)}{f.unit}" for f in target.factors))
    for part in target.parts:
        inner = "・".join(describe_quantity(q) for q in part.quantities)
        phrases.append(f"{part.label}: {inner}" if part.label else f"内訳: {inner}")
    if target.base is not None:
        phrases.append(f"母数 {describe_quantity(target.base)}")
    for compared in target.compared:
        phrases.append(f"比較 {describe_quantity(compared)}")
    phrases.extend(describe_schedule(target))
    return phrases
