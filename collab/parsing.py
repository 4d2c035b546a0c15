"""Reading a city's list of collaboration projects (協働事業一覧) into plain records.

Three inputs are understood, recognised from the content:

* 西東京市 (seed 000): text extracted from a PDF, tab-separated 協働分野 / 部 / 課 / 事業名 /
  事業概要, where a blank leading cell means "same as above" (a merged cell) and the page
  title and column headings repeat on every page. The extraction often shifts the cells of a
  line one or two columns left or right, so a 協働分野, a 部 and a 課 are recognised by what
  they say, not by where they stand.
* 小金井市 (seed 001): text extracted from a PDF, tab-separated 番号 / 課 / コロナのため中止 /
  事業名 / 事業内容 / 分類 / 相手 / 形態; the 2nd and 3rd values of 分類 / 相手 / 形態 stand on
  continuation lines, 「－」 and 「—」 mean none and 「○」 means cancelled.
* a table with a heading row (an Excel sheet, a CSV or a tab-separated file) whose columns
  are named in Japanese: 協働分野, 部, 課, 事業名, 事業概要, 分類1〜3, 相手1〜3, 形態1〜3, 中止,
  and optionally the A調査票 profile (始期, 市の予算, 全体予算, 類型, 理由, …). See
  ``HEADER_NAMES``.

Parsing never raises: every problem is collected with its line (or sheet row) number and a
Japanese message, so an import can show all of them at once and write nothing (two-phase).
Warnings are readings a person should check but that do not stop an import.

Pure Python: no Django imports.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from collab.choices import (
    CATEGORY_LOOKUP,
    FORM_CHOICES,
    FORM_LOOKUP,
    OTHER,
    PARTNER_LOOKUP,
    SURVEY_ABBREVIATIONS,
    SURVEY_QUESTIONS,
    normalize_key,
)

Kind = Literal["category", "partner", "form"]
KIND_LABELS: dict[str, str] = {"category": "分類", "partner": "相手", "form": "形態"}
KINDS: tuple[Kind, ...] = ("category", "partner", "form")
_LOOKUPS: dict[str, dict[str, str]] = {
    "category": CATEGORY_LOOKUP,
    "partner": PARTNER_LOOKUP,
    "form": FORM_LOOKUP,
}
MAX_VALUES = 3  # 分類 / 相手 / 形態 each hold up to three values

FORMAT_LABELS: dict[str, str] = {
    "nishitokyo": "西東京市形式（協働分野・部・課・事業名・事業概要）",
    "koganei": "小金井市形式（番号・課・中止・事業名・事業内容・分類・相手・形態）",
    "table": "表形式（見出し行つきの Excel・CSV）",
}


@dataclass(frozen=True)
class Choice:
    """One value of 分類 / 相手 / 形態: a code of ``collab.choices`` and, for その他, its text."""

    code: str
    text: str = ""


@dataclass
class SurveyProfile:
    """The A調査票 answers of one project; None (or an empty list) where not answered.

    Budgets are in 千円 as the survey writes them: 0 for 「無し」, None for 「不明」.
    The coded answers are the survey's numbers (①→1); 理由 and 課題 may hold several.
    """

    start_year: int | None = None
    city_budget: int | None = None
    total_budget: int | None = None
    survey_type: int | None = None
    reasons: list[int] = field(default_factory=list)
    involvement: int | None = None
    agreement: int | None = None
    liaison: int | None = None
    evaluation: int | None = None
    report: int | None = None
    outcome: int | None = None
    issues: list[int] = field(default_factory=list)


@dataclass
class ProjectRecord:
    """One project as read, before it is stored. ``line`` is where it starts in the source.

    ``area`` is the 協働分野 as a 形態 code (``FORM_CHOICES``), "" when the source has none.
    """

    line: int
    name: str
    area: str = ""
    department: str = ""
    section: str = ""
    summary: str = ""
    categories: list[Choice] = field(default_factory=list)
    partners: list[Choice] = field(default_factory=list)
    forms: list[Choice] = field(default_factory=list)
    cancelled: bool = False
    number: int | None = None
    profile: SurveyProfile | None = None

    def values(self, kind: Kind) -> list[Choice]:
        return {"category": self.categories, "partner": self.partners, "form": self.forms}[kind]


@dataclass(frozen=True)
class ParseIssue:
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.line}行目: {self.message}" if self.line else self.message


@dataclass
class ParseResult:
    format: str = ""
    projects: list[ProjectRecord] = field(default_factory=list)
    errors: list[ParseIssue] = field(default_factory=list)
    warnings: list[ParseIssue] = field(default_factory=list)
    fiscal_year: int | None = None  # read from a title such as 「（令和2年度）」

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.format, "")

    def error(self, line: int, message: str) -> None:
        self.errors.append(ParseIssue(line, _shorten(message)))

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(ParseIssue(line, _shorten(message)))


# A message quotes what it could not read; a line of a whole file (a 10 MB upload has no
# line breaks) is shown by its start and end.
MESSAGE_LIMIT = 300


def _shorten(message: str) -> str:
    if len(message) <= MESSAGE_LIMIT:
        return message
    half = MESSAGE_LIMIT // 2
    return f"{message[:half]}…（{len(message) - MESSAGE_LIMIT:,}文字略）…{message[-half:]}"


# --------------------------------------------------------------------------- values

_NONE_MARKS = frozenset({"", "-", "－", "—", "―", "‐", "ー", "─", "−", "なし", "無し", "-(なし)"})
_OTHER_TEXT = re.compile(r"^その他\s*[（(](?P<text>.*)[）)]\s*$", re.DOTALL)
_CANCEL_MARKS = frozenset(
    {"○", "〇", "◯", "◎", "●", "中止", "はい", "有", "あり", "1", "true", "yes"}
)
_NOT_CANCELLED = frozenset({"", "-", "－", "—", "×", "いいえ", "無", "なし", "0", "false", "no"})


def _clean(text: object) -> str:
    """A cell as text: None → "", numbers without a useless ".0", surrounding blanks removed."""
    if text is None:
        return ""
    if isinstance(text, bool):
        return "1" if text else ""
    if isinstance(text, float) and text.is_integer():
        return str(int(text))
    return str(text).replace("\u3000", " ").strip()


_NONE_KEYS = frozenset(normalize_key(mark) for mark in _NONE_MARKS) | {""}


def _is_none(text: str) -> bool:
    return normalize_key(text) in _NONE_KEYS


def _kinds_of(text: str) -> set[Kind]:
    """The lists (分類 / 相手 / 形態) a written value belongs to; その他 belongs to all."""
    if _OTHER_TEXT.match(text) or normalize_key(text) == "その他":
        return set(KINDS)
    key = normalize_key(text)
    return {kind for kind in KINDS if key in _LOOKUPS[kind]}


def parse_choice(kind: Kind, text: str) -> Choice | None:
    """The value of ``kind`` written as ``text``, None for a dash or blank.

    Raises ValueError with a Japanese message when the value is not in the list.
    「その他（編集委員会）」 → Choice("other", "編集委員会").
    """
    text = _clean(text)
    if _is_none(text):
        return None
    match = _OTHER_TEXT.match(text)
    if match:
        free = match.group("text").strip()
        if normalize_key(free) in {"自由記載", "なし"}:
            free = ""
        return Choice(OTHER, free)
    code = _LOOKUPS[kind].get(normalize_key(text))
    if code is None:
        raise ValueError(f"{KIND_LABELS[kind]}「{text}」は選択肢にありません")
    return Choice(code)


def parse_cancelled(text: str) -> bool:
    """True for ○ (and 中止, はい, 1 …), False for blank (and ×, いいえ, 0 …); else ValueError."""
    key = normalize_key(_clean(text)).lower()
    if key in _CANCEL_MARKS:
        return True
    if key in _NOT_CANCELLED:
        return False
    raise ValueError(f"中止欄の「{_clean(text)}」は読めません（中止なら「○」、そうでなければ空欄）")


# --------------------------------------------------------------------------- profile

_CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)}  # ①..⑳
_WAREKI_IN_TEXT = re.compile(r"(明治|大正|昭和|平成|令和)\s*(元|[0-9]{1,2})")
_WESTERN_YEAR = re.compile(r"(?<![0-9])(1[89][0-9]{2}|20[0-9]{2})(?![0-9])")
_UNKNOWN_WORDS = ("不明", "未定", "算定不能", "わからない", "分からない")


def _strip_code_mark(text: str) -> tuple[int | None, str]:
    """Split 「②実行委」 into (2, "実行委"); a text without a circled number gives (None, text)."""
    text = text.strip()
    if text and text[0] in _CIRCLED:
        return _CIRCLED[text[0]], text[1:].strip()
    return None, text


def parse_start_year(text: str, *, today: date | None = None) -> int | None:
    """The Western year of a 始期: 「①平成１２」 → 2000, 「昭和48」 → 1973, 「2009」 → 2009.

    None for blank, 「②不明」 or 「未定」. Raises ValueError (Japanese message) otherwise,
    also for a 和暦 year the era never reached (「平成35」: 平成 ended in its 31st year) and
    for a year after next year (a 始期 can be planned a year ahead, not more). The 和暦
    year is read by ``shakyo.lib.fiscal.parse_wareki_year``.
    """
    from shakyo.lib.fiscal import era_last_year, parse_wareki_year

    raw = _clean(text)
    if not raw:
        return None
    normalized = unicodedata.normalize("NFKC", raw)
    if any(word in normalized for word in _UNKNOWN_WORDS):
        return None
    year: int | None = None
    match = _WAREKI_IN_TEXT.search(normalized)
    if match:
        era, number = match.groups()
        last = era_last_year(era)
        if last is not None and number != "元" and int(number) > last:
            raise ValueError(
                f"始期「{raw}」の{era}{int(number)}年はありません（{era}は{last}年までです）"
            )
        year = parse_wareki_year(era + number)
    if year is None:
        match = _WESTERN_YEAR.search(normalized)
        if match:
            year = int(match.group(1))
    if year is None:
        raise ValueError(f"始期「{raw}」を年として読めません（例：昭和48、平成21、2009）")
    # Japan's calendar: the councils' year turns at midnight in Tokyo.
    latest = (today or datetime.now(tz=ZoneInfo("Asia/Tokyo")).date()).year + 1
    if year > latest:
        raise ValueError(
            f"始期「{raw}」は{latest}年より先の年です。{latest}年までの年を書いてください"
        )
    return year


def parse_budget(text: str) -> int | None:
    """A budget in 千円: 「①１，１８０千円」 → 1180, 「②無し」 → 0, 「②不明」 or blank → None.

    Raises ValueError (Japanese message) for anything else.
    """
    raw = _clean(text)
    _code, body = _strip_code_mark(raw)
    key = normalize_key(body).replace("、", "")
    if not key or any(word in key for word in _UNKNOWN_WORDS):
        return None
    if key in {"無し", "なし", "無"}:
        return 0
    match = re.fullmatch(r"([0-9]+)(千円|千)?", key)
    if match is None:
        raise ValueError(
            f"予算「{raw}」を千円単位の金額として読めません（例：1,180千円、無し、不明）"
        )
    return int(match.group(1))


def _survey_code(question: str, token: str) -> int:
    heading, choices, _multiple = SURVEY_QUESTIONS[question]
    codes = {code for code, _label in choices}
    number, body = _strip_code_mark(token)
    key = normalize_key(body)
    if number is None and key.isdigit():
        number = int(key)
    if number is None:
        labels = {normalize_key(label): code for code, label in choices}
        number = labels.get(key) or SURVEY_ABBREVIATIONS[question].get(key)
        if number is None and (key.startswith("その他") or key.startswith("他")):
            number = next((code for code, label in choices if label == "その他"), None)
    if number is None or number not in codes:
        raise ValueError(f"{heading}「{token.strip()}」は選択肢にありません")
    return number


def parse_survey_answer(question: str, text: str) -> int | list[int] | None:
    """A coded A調査票 answer: 「②市・民」 → 2; for 理由 / 課題 a list: 「④ノウハウ ⑥すそ野拡大」 → [4, 6].

    ``question`` is a key of ``SURVEY_QUESTIONS``. Blank gives None (or []). Raises
    ValueError (Japanese message) for a code or word that is not one of the answers.
    """
    _heading, _choices, multiple = SURVEY_QUESTIONS[question]
    raw = _clean(text)
    if not raw:
        return [] if multiple else None
    normalized = unicodedata.normalize("NFKC", raw)
    # A circled number starts each answer; NFKC turns ① into "1", so split on the original.
    if any(ch in _CIRCLED for ch in raw):
        tokens = [t for t in re.split(r"(?=[\u2460-\u2473])", raw) if t.strip()]
    else:
        tokens = [t for t in re.split(r"[、,/／;；\s]+", normalized) if t]
    codes: list[int] = []
    for token in tokens:
        code = _survey_code(question, token)
        if code not in codes:
            codes.append(code)
    if multiple:
        return codes
    if len(codes) > 1:
        heading = SURVEY_QUESTIONS[question][0]
        raise ValueError(f"{heading}は一つだけ選んでください（「{raw}」）")
    return codes[0]


PROFILE_KEYS: tuple[str, ...] = ("start_year", "city_budget", "total_budget", *SURVEY_QUESTIONS)


def parse_profile(cells: dict[str, str]) -> tuple[SurveyProfile | None, list[str]]:
    """A profile from its written cells (keys of ``PROFILE_KEYS``); None when all are blank.

    Returns the profile and the Japanese messages of the cells that could not be read
    (those cells are left empty in the profile).
    """
    if not any(_clean(cells.get(key)) for key in PROFILE_KEYS):
        return None, []
    profile = SurveyProfile()
    messages: list[str] = []
    readers = {
        "start_year": parse_start_year,
        "city_budget": parse_budget,
        "total_budget": parse_budget,
    }
    for key in PROFILE_KEYS:
        text = _clean(cells.get(key))
        if not text:
            continue
        try:
            reader = readers.get(key)
            value = reader(text) if reader else parse_survey_answer(key, text)
        except ValueError as exc:
            messages.append(str(exc))
            continue
        setattr(profile, key, value)
    return profile, messages


# --------------------------------------------------------------------------- helpers

_TITLE_YEAR = re.compile(r"(令和|平成)\s*(元|[0-9０-９]{1,2})\s*年度")
_PAGE_NUMBER = re.compile(r"^[-－―ー\s]*[0-9０-９]+(\s*/\s*[0-9０-９]+)?[-－―ー\s]*$")


def _title_year(text: str) -> int | None:
    from shakyo.lib.fiscal import parse_wareki_year

    match = _TITLE_YEAR.search(text)
    return parse_wareki_year(match.group(1) + match.group(2)) if match else None


def _split_line(line: str) -> list[str]:
    return [_clean(cell) for cell in line.split("\t")]


def _join_name(text: str) -> str:
    """A project name on one line: a line break inside a cell is layout, not a space."""
    return "".join(part.strip() for part in text.splitlines())


def _add_values(
    record: ProjectRecord, kind: Kind, values: list[Choice], result: ParseResult, line: int
) -> None:
    target = record.values(kind)
    for value in values:
        if value in target:
            result.warn(
                line, f"{KIND_LABELS[kind]}の重複（{_choice_text(kind, value)}）を除きました"
            )
            continue
        if len(target) >= MAX_VALUES:
            result.error(
                line,
                f"「{record.name}」の{KIND_LABELS[kind]}が{MAX_VALUES}つを超えています"
                f"（{_choice_text(kind, value)}）。最大{MAX_VALUES}つまでです",
            )
            continue
        target.append(value)


def _choice_text(kind: Kind, value: Choice) -> str:
    from collab.choices import CATEGORY_CHOICES, PARTNER_CHOICES, label_of

    choices = {"category": CATEGORY_CHOICES, "partner": PARTNER_CHOICES, "form": FORM_CHOICES}
    label = label_of(choices[kind], value.code)
    return f"{label}（{value.text}）" if value.text else label


# --------------------------------------------------------------------------- 西東京市

_NISHITOKYO_HEADER = ("協働分野", "部", "課", "事業名", "事業概要")
_DEPARTMENT = re.compile(r"^[^\s、。，,「」『』（）()・]{1,12}部$")
_SECTION = re.compile(r"^[^\s、。，,「」『』（）()]{1,16}(課|事務局|(?<!教)室|担当)$")
_SECTION_NAMES = frozenset({"公民館", "図書館"})


def _is_field(cell: str) -> bool:
    return normalize_key(cell) in FORM_LOOKUP


def _is_department(cell: str) -> bool:
    return bool(_DEPARTMENT.match(normalize_key(cell)))


def _is_section(cell: str) -> bool:
    key = normalize_key(cell)
    return key in _SECTION_NAMES or bool(_SECTION.match(key))


@dataclass
class _Row:
    """One table line of the 西東京市 list; None where the line leaves a cell blank."""

    line: int
    page: int
    area: str | None
    department: str | None
    section: str | None
    name: str
    summary: str | None

    @property
    def continues(self) -> bool:
        """Whether all three grouping cells are blank: the line continues the group above."""
        return self.area is None and self.department is None and self.section is None


def _is_nishitokyo_header(cells: list[str]) -> bool:
    filled = [normalize_key(c) for c in cells if c]
    return tuple(filled) == _NISHITOKYO_HEADER


def _nishitokyo_row(cells: list[str], line: int, page: int, result: ParseResult) -> _Row | None:
    """Read one line by what its cells say: 協働分野, then 部, then 課, then 事業名 and 事業概要.

    The extraction moves cells left or right, so the position of a cell is not trusted;
    the order is (a 部 never stands left of a 協働分野).
    """
    field_code = department = section = None
    rest: list[str] = []
    stage = 0
    for cell in (c for c in cells if c):
        if rest:
            rest.append(cell)
        elif stage < 1 and _is_field(cell):
            field_code, stage = FORM_LOOKUP[normalize_key(cell)], 1
        elif stage < 2 and _is_department(cell):
            department, stage = cell, 2
        elif stage < 3 and _is_section(cell):
            section, stage = cell, 3
        else:
            rest.append(cell)
    if not rest:
        result.error(line, "事業名がありません")
        return None
    if len(rest) > 2:
        extra = "」「".join(rest[2:])
        result.error(line, f"事業名・事業概要のほかに読めない欄があります（「{extra}」）")
        return None
    return _Row(
        line=line,
        page=page,
        area=field_code,
        department=department,
        section=section,
        name=_join_name(rest[0]),
        summary=rest[1] if len(rest) == 2 else None,
    )


def _mend_page_breaks(rows: list[_Row], result: ParseResult) -> None:
    """Give the lines before a page break the merged cells whose text went to the next page.

    The PDF prints the text of a merged cell that straddles a page break on the next page,
    at the top. Two cases are mended, each with a warning to check:

    * the first line of a page names a 協働分野 but leaves 部 blank: the 部 group above
      continues across the break, and a 協働分野 holds whole 部 groups, so the lines of that
      group above the break belong to the new 協働分野 too;
    * the first line of a page names a 部 and a 課 and the lines just above the break leave
      協働分野, 部 and 課 (and perhaps 事業概要) blank: those lines belong to the group the
      new page opens, not to the group above.
    """
    for index, row in enumerate(rows):
        if index == 0 or rows[index - 1].page == row.page:
            continue
        before = rows[:index]
        if row.area is not None and row.department is None:
            start = next((i for i in range(index - 1, -1, -1) if before[i].department), None)
            if start is None:
                continue
            if any(r.area is not None for r in before[start:]):
                continue
            group = before[start:]
            for r in group:
                r.area = row.area
            result.warn(
                group[0].line,
                f"{_lines(group)}を、次のページ先頭（{row.line}行目）の協働分野"
                f"「{_field_label(row.area)}」に含めました。確認してください",
            )
        elif row.department is not None and row.section is not None:
            tail: list[_Row] = []
            for r in reversed(before):
                if r.page != row.page - 1 or not r.continues:
                    break
                tail.insert(0, r)
            if not tail:
                continue
            for r in tail:
                r.area = row.area
                r.department, r.section = row.department, row.section
                if r.summary is None:
                    r.summary = row.summary or ""
            result.warn(
                tail[0].line,
                f"{_lines(tail)}（協働分野・部・課が空欄）を、次のページ先頭"
                f"（{row.line}行目）の「{row.department}　{row.section}」の行として読みました。"
                "確認してください",
            )


def _lines(rows: list[_Row]) -> str:
    first, last = rows[0].line, rows[-1].line
    return f"{first}行目" if first == last else f"{first}〜{last}行目"


def _field_label(code: str | None) -> str:
    return dict(FORM_CHOICES).get(code or "", "")


def _parse_nishitokyo(lines: list[str]) -> ParseResult:
    result = ParseResult(format="nishitokyo")
    rows: list[_Row] = []
    page = 0
    for number, line in enumerate(lines, start=1):
        cells = _split_line(line)
        filled = [c for c in cells if c]
        if not filled:
            continue
        if _is_nishitokyo_header(cells):
            page += 1
            continue
        if len(filled) == 1 and ("一覧" in filled[0] or _PAGE_NUMBER.match(filled[0])):
            result.fiscal_year = result.fiscal_year or _title_year(filled[0])
            continue
        if page == 0:
            continue  # text before the first heading row
        row = _nishitokyo_row(cells, number, page, result)
        if row is not None:
            rows.append(row)
    # Rows carry only what they say; a row's own explicitness matters for 事業概要 below.
    continuing = {id(r) for r in rows if r.continues}
    _mend_page_breaks(rows, result)
    field_code: str | None = None
    department = section = ""
    previous: ProjectRecord | None = None
    for row in rows:
        if row.area is not None:
            field_code = row.area
        if row.department is not None:
            department = row.department
            section = ""
        if row.section is not None:
            section = row.section
        if field_code is None:
            result.error(
                row.line, f"「{row.name}」の協働分野が分かりません（上の行にもありません）"
            )
            continue
        summary = row.summary
        if summary is None:
            # A blank 事業概要 inside a group is a merged cell too (the 地区会館 lines).
            inherit = previous is not None and id(row) in continuing
            summary = previous.summary if inherit and previous is not None else ""
        record = ProjectRecord(
            line=row.line,
            name=row.name,
            area=field_code,
            department=department,
            section=section,
            summary=summary,
            forms=[Choice(field_code)],
        )
        result.projects.append(record)
        previous = record
    if page == 0:
        result.error(0, "見出し行（協働分野・部・課・事業名・事業概要）が見つかりません")
    return result


# --------------------------------------------------------------------------- 小金井市

_KOGANEI_COLUMNS = 8  # 番号, 課, 中止, 事業名, 事業内容, 分類, 相手, 形態


def _is_koganei_header(cells: list[str]) -> bool:
    keys = [normalize_key(c) for c in cells if c]
    return (
        len(keys) >= 6
        and keys[0] == "番号"
        and any("協働事業名" in k for k in keys)
        and any("形態" in k for k in keys)
    )


def _place_values(
    cells: list[str], line: int, label: str, result: ParseResult
) -> dict[Kind, Choice | None]:
    """Read one line's 分類 / 相手 / 形態 cells, putting a value back in its own column.

    The extraction sometimes moves a value one column over (「学術、文化、芸術、スポーツ」
    under 相手): a value that is not in its column's list but is in exactly one other list
    whose cell on this line is empty goes there, with a warning.
    """
    placed: dict[Kind, Choice | None] = dict.fromkeys(KINDS)
    misplaced: list[tuple[Kind, str]] = []
    for kind, text in zip(KINDS, cells, strict=True):
        if _is_none(text):
            continue
        if kind in _kinds_of(text):
            placed[kind] = parse_choice(kind, text)
        else:
            misplaced.append((kind, text))
    for kind, text in misplaced:
        homes = [k for k in _kinds_of(text) if placed[k] is None]
        if len(homes) == 1:
            home = homes[0]
            placed[home] = parse_choice(home, text)
            result.warn(
                line,
                f"{label}: {KIND_LABELS[kind]}欄の「{text}」を{KIND_LABELS[home]}として読みました",
            )
        else:
            result.error(line, f"{label}: {KIND_LABELS[kind]}「{text}」は選択肢にありません")
    return placed


def _parse_koganei(lines: list[str]) -> ParseResult:
    result = ParseResult(format="koganei")
    current: ProjectRecord | None = None
    seen_header = False
    numbers: dict[int, int] = {}
    for line_number, line in enumerate(lines, start=1):
        cells = _split_line(line)
        if not any(cells):
            continue
        if _is_koganei_header(cells):
            seen_header = True
            continue
        if not seen_header:
            result.fiscal_year = result.fiscal_year or _title_year(line)
            continue  # the legend and the title
        cells += [""] * (_KOGANEI_COLUMNS - len(cells))
        if any(cells[_KOGANEI_COLUMNS:]):
            extra = "」「".join(c for c in cells[_KOGANEI_COLUMNS:] if c)
            result.error(
                line_number, f"8列（番号〜形態）のほかに読めない欄があります（「{extra}」）"
            )
            current = None
            continue
        head = normalize_key(cells[0])
        if head.isdigit():
            number = int(head)
            label = f"番号{number}"
            if number in numbers:
                result.error(
                    line_number,
                    f"番号{number}が重複しています（{numbers[number]}行目にもあります）",
                )
            numbers.setdefault(number, line_number)
            name = _join_name(cells[3])
            if not name:
                result.error(line_number, f"{label}: 事業名がありません")
            try:
                cancelled = parse_cancelled(cells[2])
            except ValueError as exc:
                result.error(line_number, f"{label}: {exc}")
                cancelled = False
            try:
                placed = _place_values(cells[5:8], line_number, label, result)
            except ValueError as exc:
                result.error(line_number, f"{label}: {exc}")
                placed = dict.fromkeys(KINDS)
            current = ProjectRecord(
                line=line_number,
                name=name,
                section=cells[1],
                summary=cells[4],
                cancelled=cancelled,
                number=number,
            )
            if name:
                result.projects.append(current)
            for kind in KINDS:
                value = placed[kind]
                if value is not None:
                    _add_values(current, kind, [value], result, line_number)
        elif not any(cells[:5]) and any(cells[5:8]):
            if current is None:
                result.error(
                    line_number, "分類・相手・形態の続きの行ですが、その前に番号の行がありません"
                )
                continue
            label = f"番号{current.number}"
            try:
                placed = _place_values(cells[5:8], line_number, label, result)
            except ValueError as exc:
                result.error(line_number, f"{label}: {exc}")
                continue
            for kind in KINDS:
                value = placed[kind]
                if value is not None:
                    _add_values(current, kind, [value], result, line_number)
        else:
            result.error(
                line_number,
                "行の形式を読み取れません（番号の行でも、分類・相手・形態の続きの行でもありません）",
            )
    for record in result.projects:
        record.area = record.forms[0].code if record.forms else ""
    if not seen_header:
        result.error(0, "見出し行（番号・課・コロナのため中止・協働事業名…）が見つかりません")
    return result


# --------------------------------------------------------------------------- tables

# Column key → the heading names accepted for it (compared after ``normalize_key`` and with
# a leading column number such as 「1 協働事業名」 or 「3 分類」 removed). 分類 / 相手 / 形態
# take a number 1–3 (「分類1」「分類１」「分類(1)」「分類①」); a heading without a number holds
# all the values of that list in one cell, separated by 「／」 or line breaks.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "field": ("協働分野", "協働分野(形態)", "協働分野形態", "分野"),
    "department": ("部", "部名", "所管部"),
    "section": ("課", "課名", "所管課", "担当課", "課・係"),
    "name": ("事業名", "協働事業名"),
    "summary": ("事業概要", "事業内容", "概要", "内容", "協働事業の内容"),
    "category": ("分類",),
    "partner": ("相手", "協働の相手", "相手先"),
    "form": ("形態", "協働形態"),
    "cancelled": ("中止", "コロナのため中止", "コロナ中止", "コロナによる中止"),
    "number": ("番号", "no", "no.", "№"),
    "start_year": ("始期", "開始年", "開始年度"),
    "city_budget": ("市の予算", "市の予算(千円)", "市予算"),
    "total_budget": ("全体予算", "全体予算(千円)", "全体の予算"),
    "survey_type": ("類型",),
    "reasons": ("理由",),
    "involvement": ("関わり",),
    "agreement": ("決め方",),
    "liaison": ("把握",),
    "evaluation": ("評価",),
    "report": ("報告書",),
    "outcome": ("成果",),
    "issues": ("課題",),
}
_HEADER_LOOKUP: dict[str, str] = {
    normalize_key(name).lower(): key for key, names in HEADER_NAMES.items() for name in names
}
_NUMBERED = re.compile(r"^(?P<base>.+?)[(]?(?P<n>[1-3])[)]?$")
_VALUE_SEPARATORS = re.compile(r"[\n／/;；]+")


def _header_key(text: str) -> str | None:
    """The column key of a heading, with a position 1–3 for 分類 / 相手 / 形態: "category2"."""
    key = normalize_key(_clean(text)).lower()
    key = "".join(str(_CIRCLED[ch]) if ch in _CIRCLED else ch for ch in key)
    if not key:
        return None
    if key in _HEADER_LOOKUP:
        return _HEADER_LOOKUP[key]
    match = _NUMBERED.match(key)
    if match and _HEADER_LOOKUP.get(match.group("base")) in KINDS:
        return f"{_HEADER_LOOKUP[match.group('base')]}{match.group('n')}"
    stripped = re.sub(r"^[0-9]+", "", key)  # 「1 協働事業名」「3 分類」
    if stripped != key:
        return _header_key(stripped)
    return None


def _find_header(rows: Sequence[Sequence[object]]) -> int | None:
    for index, row in enumerate(rows[:30]):
        if "name" in {_header_key(_clean(cell)) for cell in row}:
            return index
    return None


def parse_collaboration_rows(rows: Sequence[Sequence[object]]) -> ParseResult:
    """Read a sheet or CSV with a heading row (see ``HEADER_NAMES``); rows are numbered from 1.

    Rows above the heading row (a title) are skipped, and so are a repeated heading row and
    empty rows. A blank 協働分野 / 部 / 課 means "same as above" (a merged cell); a new 部
    starts with no 課. A row without 事業名 that only fills 分類 / 相手 / 形態 continues the
    project above (as in the 小金井市 list). A blank 協働分野 is the first 形態, and a
    project without 形態 takes its 協働分野 as its 形態.
    """
    result = ParseResult(format="table")
    header_index = _find_header(rows)
    if header_index is None:
        result.error(0, "見出し行（「事業名」の列を含む行）が見つかりません")
        return result
    columns: dict[str, int] = {}
    for position, cell in enumerate(rows[header_index]):
        key = _header_key(_clean(cell))
        text = _clean(cell)
        if key is None:
            if text:
                result.warn(header_index + 1, f"「{text}」列は読み込みません")
            continue
        if key in columns:
            result.error(header_index + 1, f"見出し「{text}」が二つあります")
            continue
        columns[key] = position
    if not result.ok:
        return result

    def cell(row: Sequence[object], key: str) -> str:
        position = columns.get(key)
        if position is None or position >= len(row):
            return ""
        return _clean(row[position])

    value_keys = {
        kind: [k for k in (kind, f"{kind}1", f"{kind}2", f"{kind}3") if k in columns]
        for kind in KINDS
    }
    all_value_keys = {k for keys in value_keys.values() for k in keys}
    field_code: str | None = None
    department = section = ""
    current: ProjectRecord | None = None
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        line = index + 1
        texts = {key: cell(row, key) for key in columns}
        if not any(texts.values()):
            continue
        if _find_header([row]) == 0:
            continue  # the heading repeated on a printed page
        values: dict[Kind, list[Choice]] = {kind: [] for kind in KINDS}
        row_errors = len(result.errors)
        for kind in KINDS:
            for key in value_keys[kind]:
                parts = _VALUE_SEPARATORS.split(texts[key]) if key == kind else [texts[key]]
                for part in parts:
                    try:
                        choice = parse_choice(kind, part)
                    except ValueError as exc:
                        result.error(line, str(exc))
                        continue
                    if choice is not None:
                        values[kind].append(choice)
        name = _join_name(texts.get("name", ""))
        if not name:
            others = [k for k, v in texts.items() if v and k not in all_value_keys]
            if others:
                result.error(line, "事業名が空欄です")
            elif current is None:
                result.error(line, "分類・相手・形態の続きの行ですが、その前に事業の行がありません")
            else:
                for kind in KINDS:
                    _add_values(current, kind, values[kind], result, line)
            continue

        if texts.get("field"):
            code = FORM_LOOKUP.get(normalize_key(texts["field"]))
            if code is None:
                result.error(line, f"協働分野「{texts['field']}」は形態の選択肢にありません")
            field_code = code
        elif "field" not in columns or field_code is None:
            field_code = values["form"][0].code if values["form"] else None
        if texts.get("department"):
            department, section = texts["department"], ""
        if texts.get("section"):
            section = texts["section"]
        cancelled = False
        if texts.get("cancelled"):
            try:
                cancelled = parse_cancelled(texts["cancelled"])
            except ValueError as exc:
                result.error(line, str(exc))
        number = None
        if texts.get("number"):
            digits = normalize_key(texts["number"])
            if digits.isdigit():
                number = int(digits)
            else:
                result.error(line, f"番号「{texts['number']}」は数字ではありません")
        profile, messages = parse_profile({k: texts.get(k, "") for k in PROFILE_KEYS})
        for message in messages:
            result.error(line, message)
        if len(result.errors) > row_errors:
            current = None
            continue
        current = ProjectRecord(
            line=line,
            name=name,
            area=field_code or "",
            department=department,
            section=section,
            summary=texts.get("summary", ""),
            cancelled=cancelled,
            number=number,
            profile=profile,
        )
        for kind in KINDS:
            _add_values(current, kind, values[kind], result, line)
        if not current.forms and current.area:
            current.forms.append(Choice(current.area))
        result.projects.append(current)
    return result


# --------------------------------------------------------------------------- entry points


def decode_text(data: bytes) -> str | None:
    """The text of an uploaded file: UTF-8 (with or without BOM), else Shift_JIS (cp932).

    None when it is neither (a binary file).
    """
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    return None


def parse_collaboration_text(text: str) -> ParseResult:
    """Read a 協働事業一覧 given as text, recognising its format from the content.

    The 小金井市 list is recognised by its heading 「番号 課 コロナのため中止 1 協働事業名 …」,
    the 西東京市 list by 「協働分野 部 課 事業名 事業概要」 (tab-separated, nothing else), and
    any other tab- or comma-separated text with a 「事業名」 heading is read as a table.
    """
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    for line in lines:
        cells = _split_line(line)
        if _is_koganei_header(cells):
            return _parse_koganei(lines)
        if _is_nishitokyo_header(cells):
            return _parse_nishitokyo(lines)
    delimiter = "\t" if any("\t" in line for line in lines[:30]) else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error:
        # The one error a well-formed text can give: a field over csv's limit (128 KB).
        result = ParseResult()
        result.error(
            reader.line_num,
            f"1つの欄の文字が長すぎます（{csv.field_size_limit():,}文字まで）。"
            '引用符（"）の閉じ忘れがないか確かめてください',
        )
        return result
    if _find_header(rows) is not None:
        return parse_collaboration_rows(rows)
    result = ParseResult()
    result.error(
        0,
        "形式を認識できません。西東京市の一覧（協働分野・部・課・事業名・事業概要）、"
        "小金井市の一覧（番号・課・コロナのため中止・協働事業名…）、"
        "または「事業名」の列がある表（Excel・CSV）を指定してください",
    )
    return result
