"""Text typed by people: what counts as empty, and how long it may be. Pure Python."""

from __future__ import annotations

# Characters that show nothing (zero-width space, joiners, word joiner, BOM, soft hyphen).
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def visible_text(text: str) -> str:
    """``text`` without the spaces and invisible characters around it.

    「 理由 」 → 「理由」, 「\u200b」 → 「」 (so a comment of only a zero-width space is
    empty), 「\u3000理由\u200b」 → 「理由」. Characters inside the text are kept.
    """
    previous = None
    while previous != text:
        previous = text
        text = text.strip().strip(_INVISIBLE)
    return text


def text_problem(label: str, text: str, limit: int) -> str | None:
    """The one message for a text longer than ``limit`` characters (None when it fits):
    the screens and the imports of 実績 and of the plan all say it this way."""
    if len(text) <= limit:
        return None
    return f"{label}は{limit:,}文字以内で入力してください（今は{len(text):,}文字です）。"
