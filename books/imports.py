"""Importing workbooks, in two phases: check every row, then write everything or nothing.

Phase 1 reads the whole file and collects every problem with its sheet, row and column
and a Japanese message; it writes nothing (not even a SectionQuarter). Phase 2 runs only
for a clean file and writes in one transaction through the same services the screens
use (``plans.services`` for the plan, ``results.services.results_save`` for 実績), so
the rules and messages are the same.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from plans.audit import audit_record
from plans.models import (
    PLAN_ITEM_TEXTS,
    AuditEvent,
    Business,
    FiscalYear,
    Initiative,
    Organization,
    PlanItem,
    Section,
    User,
    plan_item_text_problems,
    unknown_name_message,
)
from plans.services import (
    PlanChanges,
    plan_changes,
    plan_import_create,
    plan_item_set_structure,
    plan_load,
)
from results.forms import RowForm
from results.models import Result, SectionQuarter
from results.progress import item_progress
from results.rules import figure_fields
from results.services import (
    EntryError,
    ResultInput,
    StaleEntryError,
    results_save,
    section_items,
    section_quarter_get,
    window_for,
)
from shakyo.lib.fiscal import fiscal_year_label
from targets.parser import target_from_dict
from targets.types import Kind

from . import xlsx
from .safety import UnsafeFile, check_upload

Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class Problem:
    """One reason a file is refused, located where the person can find it in Excel."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    @property
    def location(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"シート「{self.sheet}」")
        if self.row:
            parts.append(f"{self.row}行目")
        if self.column:
            parts.append(f"{self.column}列")
        return " ".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class ImportRefused(Exception):
    """The file was refused and nothing was written; ``problems`` says why, every one."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportSummary:
    message: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    plan_import_id: int | None = None  # a plan import waiting for the 事務局 (preview)


def _open(path: str | Path, template: str) -> xlsx.WorkbookData:
    """Phase 0: the file is safe to open, opens, and is a shakyo ``template`` workbook."""
    try:
        check_upload(path)
    except UnsafeFile as refused:
        raise ImportRefused([Problem(refused.message)]) from refused
    try:
        data = xlsx.read_workbook(path)
    except xlsx.WorkbookUnreadable as error:
        raise ImportRefused(
            [
                Problem(
                    "ファイルが壊れているため読み込めません。Excel で開けることを確かめ、"
                    "「Excel ブック（.xlsx）」形式で保存し直してください。"
                )
            ]
        ) from error
    names = {
        "plan": "事業計画",
        "results": "実績入力用ブック",
        "report": "事業報告",
        "city": "市への報告",
    }
    meta = data.meta or {}
    found = meta.get("template")
    if found != template:
        wanted = names[template]
        if found in names:
            message = f"このファイルは「{names[found]}」です。ここでは「{wanted}」のブックを取り込みます。"
        else:
            message = (
                f"shakyo の「{wanted}」のブックではありません。shakyo から出力したブックを"
                "編集してアップロードしてください。"
            )
        raise ImportRefused([Problem(message)])
    if meta.get("version") != xlsx.FORMAT_VERSION:
        raise ImportRefused(
            [Problem("ブックの版が古いか新しすぎます。もう一度 shakyo から出力してください。")]
        )
    return data


# ---------------------------------------------------------------------------------------
# Cell values
# ---------------------------------------------------------------------------------------


class _CellProblem(Exception):
    def __init__(self, message: str):
        self.message = message


def _text(cell: xlsx.CellValue) -> str:
    """A cell that must hold text (numbers typed into it are read as their digits)."""
    value = cell.value
    if cell.formula:
        raise _CellProblem("数式は使えません。値（文字）を入力してください。")
    if value is None:
        return ""
    if isinstance(value, bool):
        raise _CellProblem("TRUE/FALSE ではなく文字を入力してください。")
    if isinstance(value, (datetime, date, time)):
        raise _CellProblem(
            "日付に変換されています。文字として入力してください（先頭に ' を付けると文字になります）。"
        )
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        normalized = value.normalize()
        return f"{normalized:f}" if normalized == normalized.to_integral_value() else str(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


class _Collector:
    """Collects the problems of phase 1."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, message: str, sheet: str = "", row: int | None = None, column: str = "") -> None:
        self.problems.append(Problem(message, sheet, row, column))

    def read(self, reader, sheet: str, row: xlsx.SheetRow, column: int, default=None):
        cell = row.get(column)
        try:
            return reader(cell)
        except _CellProblem as problem:
            self.add(problem.message, sheet, row.number, cell.column)
            return default

    def raise_if_any(self) -> None:
        if self.problems:
            raise ImportRefused(self.problems)


# ---------------------------------------------------------------------------------------
# 事業計画
# ---------------------------------------------------------------------------------------


@dataclass
class _Item:
    sheet: str
    row: int
    key: str | None
    group: str
    name: str
    detail: str
    target_text: str
    extra: dict


@dataclass
class _Initiative:
    sheet: str
    row: int
    pk: int | None
    number: int
    title: str
    policy_lines: list[str] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)

    @property
    def policy(self) -> str:
        return "\n".join(self.policy_lines)


@dataclass
class _Business:
    sheet: str
    row: int
    pk: int | None
    department: str
    section: str
    name: str
    commissioned_by: str
    city_department: str
    policies_shared: bool
    policies_from_previous: bool
    policies: list[str] = field(default_factory=list)
    initiatives: list[_Initiative] = field(default_factory=list)


_HEADING = re.compile(r"^\s*([0-9０-９]+)\s*[.．、]\s*(.+?)\s*$", re.DOTALL)


def _json(cell: xlsx.CellValue) -> dict:
    if not isinstance(cell.value, str) or not cell.value:
        return {}
    try:
        value = json.loads(cell.value)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _pk(cell: xlsx.CellValue) -> int | None:
    try:
        return int(str(cell.value)) if cell.value not in (None, "") else None
    except ValueError:
        return None


def _read_plan(data: xlsx.WorkbookData, errors: _Collector) -> list[_Business]:
    """Phase 1a: the plan in the file, in order, with problems for whatever is unclear."""
    businesses: list[_Business] = []
    for sheet in data.sheets:
        department = ""
        context = ""  # policy / initiative_policy / table
        initiative: _Initiative | None = None
        business: _Business | None = None
        for row in sheet.rows:
            tag_cell = row.get(xlsx.PLAN_TAG)
            tag = tag_cell.value if isinstance(tag_cell.value, str) else ""
            if tag == "title":
                department = str(_json(row.get(xlsx.PLAN_DATA)).get("department") or "")
                continue
            if tag == "business":
                info = _json(row.get(xlsx.PLAN_DATA))
                if not info.get("section") or not info.get("name"):
                    errors.add("事業の情報（非表示の行）が壊れています。", sheet.title, row.number)
                    continue
                business = _Business(
                    sheet=sheet.title,
                    row=row.number,
                    pk=_pk(row.get(xlsx.PLAN_KEY)),
                    department=department,
                    section=str(info["section"]),
                    name=str(info["name"]),
                    commissioned_by=str(info.get("commissioned_by") or ""),
                    city_department=str(info.get("city_department") or ""),
                    policies_shared=bool(info.get("policies_shared")),
                    policies_from_previous=bool(info.get("policies_from_previous")),
                )
                if not department:
                    errors.add("シートの見出し（1行目）がひな形と違います。", sheet.title, 1)
                businesses.append(business)
                initiative, context = None, ""
                continue
            if tag in ("heading", "label"):
                context = ""
                continue
            if tag and business is None:
                errors.add(
                    "ひな形の形が崩れています（事業の前に行があります）。",
                    sheet.title,
                    row.number,
                )
                continue
            if tag == "policy" or (not tag and context == "policy" and _has_text(row)):
                line = errors.read(_text, sheet.title, row, 1, "")
                business.policies.append(line)
                context = "policy"
                continue
            if tag == "initiative":
                heading = errors.read(_text, sheet.title, row, 1, "")
                match = _HEADING.match(heading)
                if not match:
                    errors.add(
                        "取り組みの見出しは「１．○○の取り組み」のように番号と名前で書いてください。",
                        sheet.title,
                        row.number,
                        "A",
                    )
                    continue
                title = match.group(2)
                initiative = _Initiative(
                    sheet=sheet.title,
                    row=row.number,
                    pk=_pk(row.get(xlsx.PLAN_KEY)),
                    number=int(unicodedata.normalize("NFKC", match.group(1))),
                    title=title,
                )
                if len(title) > 200:
                    errors.add(
                        "取り組みの名前は200文字以内にしてください。", sheet.title, row.number, "A"
                    )
                business.initiatives.append(initiative)
                context = ""
                continue
            if tag == "initiative_policy" or (
                not tag and context == "initiative_policy" and _has_text(row)
            ):
                if initiative is None:
                    errors.add("方針の前に取り組みの見出しがありません。", sheet.title, row.number)
                    continue
                initiative.policy_lines.append(errors.read(_text, sheet.title, row, 1, ""))
                context = "initiative_policy"
                continue
            if tag == "header":
                context = "table"
                continue
            if tag == "item" or (not tag and context == "table" and _has_text(row)):
                if initiative is None:
                    errors.add("表の前に取り組みの見出しがありません。", sheet.title, row.number)
                    continue
                item = _read_item(sheet.title, row, errors, keyed=tag == "item")
                if item is not None:
                    initiative.items.append(item)
                continue
            if tag or _has_text(row):
                errors.add(
                    "この行が何の行か分かりません。計画の行は表（項目・内容・目標値）の中に挿入してください。",
                    sheet.title,
                    row.number,
                )
    if not businesses:
        errors.add("ブックに事業計画の行がありません。shakyo から出力したブックを使ってください。")
    return businesses


def _has_text(row: xlsx.SheetRow) -> bool:
    return any(row.get(column).value not in (None, "") for column in range(1, xlsx.PLAN_LAST + 1))


def _read_item(sheet: str, row: xlsx.SheetRow, errors: _Collector, *, keyed: bool) -> _Item | None:
    texts = {
        name: errors.read(_text, sheet, row, column, "")
        for column, name in enumerate(("group", "name", "detail", "target_text"), start=1)
    }
    if not any(texts[name].strip() for name in ("name", "detail", "target_text")):
        # An empty row inside a table (its 項目 may show through a merged cell): ignored.
        return None
    # The same limits and words as the row screen (plans.models.plan_item_text_problems).
    for name, message in plan_item_text_problems(texts).items():
        errors.add(message, sheet, row.number, "ABCD"[PLAN_ITEM_TEXTS.index(name)])
    key = None
    key_value = row.get(xlsx.PLAN_KEY).value if keyed else None
    if key_value not in (None, ""):
        try:
            key = str(uuid.UUID(str(key_value)))
        except ValueError:
            errors.add("行の照合番号（非表示の F列）が壊れています。", sheet, row.number, "F")
    extra = _json(row.get(xlsx.PLAN_DATA)) if keyed else {}
    return _Item(sheet=sheet, row=row.number, key=key, extra=extra, **texts)


def _check_duplicates(businesses: list[_Business], errors: _Collector) -> None:
    seen: dict[str, _Item] = {}
    names: dict[tuple[str, str], _Business] = {}
    for business in businesses:
        other = names.get((business.section, business.name))
        if other is not None:
            errors.add(
                f"事業「{business.name}」が2回あります（{other.row}行目と{business.row}行目）。",
                business.sheet,
                business.row,
            )
        names[(business.section, business.name)] = business
        for initiative in business.initiatives:
            for item in initiative.items:
                if item.key is None:
                    continue
                if item.key in seen:
                    first = seen[item.key]
                    errors.add(
                        f"同じ照合番号の行が2つあります（シート「{first.sheet}」{first.row}行目と同じ）。"
                        "行をコピーして追加したときは、コピーした行の照合番号（非表示の F列）を消してください。",
                        item.sheet,
                        item.row,
                        "F",
                    )
                seen[item.key] = item


def _check_commissioners(
    organization: Organization, businesses: list[_Business], errors: _Collector
) -> None:
    """A business may name only a commissioner related to the council; nothing is created."""
    known = organization.commissioner_names()
    for business in businesses:
        if business.commissioned_by and business.commissioned_by not in known:
            errors.add(
                unknown_name_message("委託元", business.commissioned_by, known),
                business.sheet,
                business.row,
            )


def plan_import(
    *,
    path: str | Path,
    organization: Organization,
    year: int,
    user: User | None,
    on_progress: Progress = _no_progress,
    on_written: Callable[[ImportSummary], None] | None = None,
    file_name: str | None = None,
) -> ImportSummary:
    """Import a 事業計画 workbook into ``year`` of ``organization``.

    Into a year without a plan, the file's plan is created (the round trip: export, import
    into an empty year, same rows, texts and parsed targets). Into a year with a plan,
    rows are matched by their key and nothing of the plan is written: the file is kept as
    a ``PlanImport`` whose changes (changed, added, removed rows; each 補正 needed once
    the plan is 確定) the 事務局 reviews and confirms on the screen
    (``plans.services.plan_import_apply``); the summary carries its id. ``on_written`` is
    called inside the writing transaction (a job marks itself done there). Raises
    ImportRefused (nothing written) with every problem found.
    """
    data = _open(path, "plan")
    errors = _Collector()
    meta = data.meta or {}
    if meta.get("organization") != organization.name:
        errors.add(
            f"このブックは「{meta.get('organization')}」の事業計画です。"
            f"「{organization.name}」には取り込めません。"
        )
    errors.raise_if_any()
    on_progress(10, 100)
    businesses = _read_plan(data, errors)
    _check_duplicates(businesses, errors)
    _check_commissioners(organization, businesses, errors)
    fiscal_year = FiscalYear.objects.filter(organization=organization, year=year).first()
    existing = Business.objects.filter(fiscal_year=fiscal_year).exists() if fiscal_year else False
    if existing and meta.get("year") != year:
        errors.add(
            f"このブックは{fiscal_year_label(int(meta.get('year') or 0) or year)}の事業計画です。"
            f"{fiscal_year_label(year)}の計画は既にあるため、同じ年度のブックだけを取り込めます。"
        )
    errors.raise_if_any()
    on_progress(30, 100)
    if existing:
        plan = _PlanUpdate(fiscal_year, businesses, errors)
        plan.check()
        errors.raise_if_any()
        on_progress(60, 100)
        # Into a year that has a plan nothing is written yet: the 事務局 reviews every
        # change (and each 補正 it needs) and confirms it (plans.services.plan_import_apply).
        with transaction.atomic():
            plan_import = plan_import_create(
                fiscal_year=fiscal_year,
                businesses=[dataclasses.asdict(b) for b in businesses],
                file_name=Path(path).name if file_name is None else file_name,
                user=user,
            )
            changes = plan_changes(fiscal_year=fiscal_year, businesses=plan_import.businesses)
            summary = ImportSummary(
                message=_preview_message(changes),
                plan_import_id=plan_import.pk,
            )
            if on_written:
                on_written(summary)
        return summary
    with transaction.atomic():
        summary = _plan_create(organization, year, businesses)
        _audit_import(organization, user, summary.message)
        if on_written:
            on_written(summary)
    return summary


def _preview_message(changes: PlanChanges) -> str:
    if changes.is_empty:
        return "ブックの内容は今の計画と同じです。反映するものはありません。"
    counts = (
        f"変更 {changes.count('changed')}行・追加 {changes.count('added')}行・"
        f"削除 {changes.count('removed')}行"
    )
    if changes.revisions:
        counts += f"、うち補正が必要な行 {len(changes.revisions)}行"
    return f"まだ反映していません（{counts}）。変更点を確認して、反映するか取り消してください。"


def _audit_import(organization: Organization, user: User | None, message: str) -> None:
    audit_record(
        organization=organization,
        user=user,
        action=AuditEvent.Action.IMPORTED,
        summary=message,
    )


def _plan_create(
    organization: Organization, year: int, businesses: list[_Business]
) -> ImportSummary:
    fiscal_year, _ = FiscalYear.objects.get_or_create(organization=organization, year=year)
    FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
    if Business.objects.filter(fiscal_year=fiscal_year).exists():
        raise ImportRefused([Problem("ほかの取り込みが先にこの年度の計画を作りました。")])
    departments: list[dict] = []
    previous: _Business | None = None
    for business in businesses:
        if not departments or departments[-1]["name"] != business.department:
            departments.append({"name": business.department, "sections": []})
        sections = departments[-1]["sections"]
        if not sections or sections[-1]["name"] != business.section:
            sections.append({"name": business.section, "businesses": []})
            previous = None
        policies = business.policies
        if business.policies_from_previous and previous is not None:
            policies = previous["section_policies"]
        entry = {
            "name": business.name,
            "commissioned_by": business.commissioned_by or None,
            "section_policies": policies,
            "section_policies_shared": business.policies_shared,
            "initiatives": [
                {
                    "number": initiative.number,
                    "title": initiative.title,
                    "policy": initiative.policy,
                    "items": [
                        {
                            "group": item.group,
                            "name": item.name,
                            "detail": item.detail,
                            "target": item.target_text,
                            "confidence": item.extra.get("confidence") or "",
                            "note": item.extra.get("note") or "",
                        }
                        for item in initiative.items
                    ],
                }
                for initiative in business.initiatives
            ],
        }
        sections[-1]["businesses"].append(entry)
        previous = entry
    result = plan_load(
        organization=organization,
        data={"fiscal_year": {"year": year}, "departments": departments},
    )
    # What plan_load does not carry: the 委託元's 所管課, and targets edited by hand.
    by_name = {
        (b.section.name, b.name): b
        for b in Business.objects.filter(fiscal_year=fiscal_year).select_related("section")
    }
    Business.objects.bulk_update(
        [
            _set(by_name[(b.section, b.name)], city_department=b.city_department)
            for b in businesses
            if b.city_department
        ],
        ["city_department"],
    )
    if any(
        item.extra.get("structure") for b in businesses for i in b.initiatives for item in i.items
    ):
        rows = {
            (row.initiative.business_id, row.initiative.order, row.order): row
            for row in PlanItem.objects.filter(
                initiative__business__fiscal_year=fiscal_year
            ).select_related("initiative")
        }
        for business in businesses:
            business_pk = by_name[(business.section, business.name)].pk
            for ini_order, initiative in enumerate(business.initiatives, start=1):
                for order, item in enumerate(initiative.items, start=1):
                    structure = item.extra.get("structure")
                    if not structure:
                        continue
                    try:
                        parsed = target_from_dict(structure)
                    except (KeyError, TypeError, ValueError):
                        continue  # a damaged structure: the text is parsed again instead
                    row = rows[(business_pk, ini_order, order)]
                    if parsed.text == row.target_text:
                        plan_item_set_structure(item=row, parsed=parsed)
    return ImportSummary(
        message=f"{fiscal_year_label(year)}の事業計画を作成しました（{result.items}行）。",
        created=result.items,
    )


def _set(obj, **values):
    for name, value in values.items():
        setattr(obj, name, value)
    return obj


class _PlanUpdate:
    """Phase 1b of importing into a year that has a plan: every business, initiative and
    key of the file must be the year's, and no row with 実績 may be dropped."""

    def __init__(self, fiscal_year: FiscalYear, businesses: list[_Business], errors: _Collector):
        self.fiscal_year = fiscal_year
        self.file = businesses
        self.errors = errors
        self.db_businesses = {
            b.pk: b
            for b in Business.objects.filter(fiscal_year=fiscal_year).select_related("section")
        }
        self.db_initiatives = {
            i.pk: i for i in Initiative.objects.filter(business__fiscal_year=fiscal_year)
        }
        self.db_items = {
            str(i.key): i
            for i in PlanItem.objects.filter(initiative__business__fiscal_year=fiscal_year)
        }
        self.with_results = set(
            Result.objects.filter(item__initiative__business__fiscal_year=fiscal_year)
            .values_list("item__key", flat=True)
            .distinct()
        )

    def check(self) -> None:
        errors = self.errors
        seen_businesses: set[int] = set()
        seen_initiatives: set[int] = set()
        seen_items: set[str] = set()
        for business in self.file:
            if business.pk not in self.db_businesses or business.pk in seen_businesses:
                errors.add(
                    f"事業「{business.name}」はこの年度の計画にありません。事業の追加は画面で行ってください。",
                    business.sheet,
                    business.row,
                )
                continue
            seen_businesses.add(business.pk)
            for initiative in business.initiatives:
                db = self.db_initiatives.get(initiative.pk)
                if db is None or db.business_id != business.pk or initiative.pk in seen_initiatives:
                    errors.add(
                        "この取り組みは計画にありません。取り組みの追加は画面で行ってください。",
                        initiative.sheet,
                        initiative.row,
                        "A",
                    )
                    continue
                seen_initiatives.add(initiative.pk)
                for item in initiative.items:
                    if item.key is None:
                        continue
                    if item.key not in self.db_items:
                        errors.add(
                            "この行の照合番号はこの年度の計画にありません。新しい行を追加するときは"
                            "照合番号（非表示の F列）を空にしてください。",
                            item.sheet,
                            item.row,
                            "F",
                        )
                    seen_items.add(item.key)
        for pk, business in self.db_businesses.items():
            if pk not in seen_businesses:
                errors.add(
                    f"事業「{business.name}」（{business.section.name}）がブックにありません。"
                    "事業の削除は画面で行ってください。"
                )
        for pk, initiative in self.db_initiatives.items():
            if pk not in seen_initiatives and initiative.business_id in seen_businesses:
                errors.add(
                    f"取り組み「{initiative}」がブックにありません。取り組みの削除は画面で行ってください。"
                )
        self.deleted = [item for key, item in self.db_items.items() if key not in seen_items]
        with_results = {str(key) for key in self.with_results}
        for item in self.deleted:
            if str(item.key) in with_results:
                errors.add(
                    f"「{item.group} {item.name}」の行がブックにありませんが、実績が入力されているため"
                    "削除できません。行を戻してください。"
                )


# ---------------------------------------------------------------------------------------
# 実績 (the offline entry workbook)
# ---------------------------------------------------------------------------------------


def can_enter_results(user: User | None, section: Section) -> bool:
    """事務局 enters (corrects) every section's 実績; 係長・担当 their own section's."""
    if user is None:
        return True  # management commands run as the 事務局
    if not user.is_authenticated or user.organization_id != section.department.organization_id:
        return False
    if user.role == User.Role.SECRETARIAT:
        return True
    return user.role == User.Role.SECTION_STAFF and user.section_id == section.pk


@dataclass
class _EntryInput:
    row: int
    item: PlanItem
    entry: ResultInput


def results_import(
    *,
    path: str | Path,
    organization: Organization,
    user: User,
    year: int,
    quarter: int | None = None,
    confirmed: bool = False,
    on_progress: Progress = _no_progress,
    on_written: Callable[[ImportSummary], None] | None = None,
) -> ImportSummary:
    """Import an offline 実績 entry workbook through ``results_save``.

    Each row is cleaned by the entry page's form (``results.forms.RowForm``), so a row is
    refused with the screen's message; ``confirmed`` is the screen's 「この数で正しい」
    for figures far beyond the target or the pace.

    The file names its 係 and quarter; it must be of ``organization`` and ``year`` (and
    ``quarter`` when given), and ``user`` must be allowed to enter that 係's 実績.
    Refused (ImportRefused, nothing written) for every problem of any row: numbers that
    are not numbers, formulas, a 中止 without its reason, a shortfall (遅れ・未着手)
    without 理由・今後の対応, an entry that is submitted or approved, a closed quarter,
    or an entry saved by someone else after the file was made.
    """
    data = _open(path, "results")
    meta = data.meta or {}
    errors = _Collector()
    file_quarter = meta.get("quarter")
    if meta.get("organization") != organization.name:
        errors.add(f"このブックは「{meta.get('organization')}」のものです。取り込めません。")
    if meta.get("year") != year:
        label = fiscal_year_label(meta["year"]) if isinstance(meta.get("year"), int) else "別の年度"
        errors.add(
            f"このブックは{label}の実績入力用です。{fiscal_year_label(year)}には取り込めません。"
        )
    if quarter is not None and file_quarter != quarter:
        errors.add(
            f"このブックは第{file_quarter}四半期の実績入力用です（選んだのは第{quarter}四半期）。"
        )
    section = (
        Section.objects.filter(
            pk=meta.get("section_id") if isinstance(meta.get("section_id"), int) else None,
            department__organization=organization,
        )
        .select_related("department")
        .first()
    )
    if section is None:
        errors.add("ブックの係がこの法人にありません。もう一度 shakyo から出力してください。")
    errors.raise_if_any()
    if not can_enter_results(user, section):
        raise ImportRefused([Problem(f"{section.name}の実績を取り込む権限がありません。")])
    fiscal_year = FiscalYear.objects.get(organization=organization, year=year)
    on_progress(10, 100)

    # Locking, as on the entry page: submitted / approved entries and closed quarters.
    current = SectionQuarter.objects.filter(
        fiscal_year=fiscal_year, section=section, quarter=file_quarter
    ).first()
    if current is not None and current.is_locked:
        errors.add(
            f"この四半期の実績は{current.get_state_display()}のため変更できません。"
            "変更が必要なときは課長・事務局に連絡してください。"
        )
    window = window_for(fiscal_year, file_quarter)
    if (user is not None and user.role != User.Role.SECRETARIAT) and not (
        window and window.is_open
    ):
        errors.add("この四半期の入力期間ではありません。事務局にお問い合わせください。")
    version = current.version if current else 0
    if meta.get("entry_version") != version:
        errors.add(
            "このブックを出力した後に、画面などからこの係の実績が保存されています。"
            "上書きしないよう、もう一度ブックを出力して入力し直してください。"
        )
    errors.raise_if_any()

    inputs = _read_entries(
        data, meta, fiscal_year, section, file_quarter, errors, on_progress, confirmed=confirmed
    )
    errors.raise_if_any()
    on_progress(80, 100)
    try:
        with transaction.atomic():
            section_quarter = section_quarter_get(
                fiscal_year=fiscal_year, section=section, quarter=file_quarter
            )
            results_save(
                section_quarter=section_quarter,
                user=user,
                inputs=[i.entry for i in inputs],
                version=version,
            )
            summary = ImportSummary(
                message=f"{section.name} 第{file_quarter}四半期の実績を取り込みました"
                f"（{len(inputs)}行）。",
                updated=len(inputs),
            )
            _audit_import(organization, user, f"{section.department.name} {summary.message}")
            if on_written:
                on_written(summary)
    except StaleEntryError as error:
        raise ImportRefused(
            [
                Problem(
                    "取り込みの途中でほかの方がこの係の実績を保存しました。"
                    "もう一度ブックを出力して入力し直してください。"
                )
            ]
        ) from error
    except EntryError as error:
        raise ImportRefused([Problem(m) for m in error.messages]) from error
    return summary


def _read_entries(
    data: xlsx.WorkbookData,
    meta: dict,
    fiscal_year: FiscalYear,
    section: Section,
    quarter: int,
    errors: _Collector,
    on_progress: Progress,
    *,
    confirmed: bool = False,
) -> list[_EntryInput]:
    columns = meta.get("columns")
    header_row = meta.get("header_row")
    sheet = next((s for s in data.sheets if s.title == xlsx.ENTRY_SHEET), None)
    if not isinstance(columns, list) or not isinstance(header_row, int) or sheet is None:
        errors.add("ブックの形がひな形と違います（シート「実績入力」がありません）。")
        return []
    position = {name: index for index, name in enumerate(columns, start=1)}
    if "key" not in position:
        errors.add("ブックの形がひな形と違います。もう一度 shakyo から出力してください。")
        return []
    items = {
        str(item.key): item for item in section_items(fiscal_year=fiscal_year, section=section)
    }
    results: dict[int, list[Result]] = {}
    stored: dict[int, Result] = {}
    for result in Result.objects.filter(item__in=items.values(), quarter__lte=quarter):
        if result.quarter != quarter:
            results.setdefault(result.item_id, []).append(result)
        else:
            stored[result.item_id] = result
    tolerance = fiscal_year.organization.tolerance
    seen: dict[str, int] = {}
    inputs: list[_EntryInput] = []
    rows = [row for row in sheet.rows if row.number > header_row]
    for index, row in enumerate(rows, start=1):
        if index % 50 == 0:
            on_progress(10 + 60 * index // max(len(rows), 1), 100)
        key = row.get(position["key"]).value
        if key in (None, ""):
            if any(
                row.get(position[name]).value not in (None, "")
                for name in ("value", "done", "cancelled", "cancel_reason", "note", "reason")
                if name in position
            ):
                errors.add(
                    "計画にない行です。行を追加せず、出力された行に入力してください。",
                    sheet.title,
                    row.number,
                )
            continue
        item = items.get(str(key))
        if item is None:
            errors.add(
                "この行は今の計画にありません（計画が変更された可能性があります）。"
                "もう一度ブックを出力してください。",
                sheet.title,
                row.number,
            )
            continue
        if str(key) in seen:
            errors.add(f"{seen[str(key)]}行目と同じ行が2回あります。", sheet.title, row.number)
            continue
        seen[str(key)] = row.number
        entry = _read_entry(
            sheet.title, row, position, item, stored.get(item.pk), quarter, confirmed, errors
        )
        if entry is None:
            continue
        _check_reasons(sheet.title, row, position, item, entry, results, quarter, tolerance, errors)
        inputs.append(_EntryInput(row=row.number, item=item, entry=entry))
    return inputs


def _letter(position: dict[str, int], name: str) -> str:
    return xlsx.column_letter(position[name])


def _figure_text(cell: xlsx.CellValue) -> str:
    """A figure cell as the text a person would type on the entry page (「12」「1.5」).

    Excel numbers are written out in full (1E+20 → 「100000000000000000000」) so that the
    entry form's reading, limits and messages apply to them as to typed text.
    """
    value = cell.value
    if cell.formula:
        raise _CellProblem("数式は使えません。数値を入力してください。")
    if value is None:
        return ""
    if isinstance(value, (bool, datetime, date, time)):
        raise _CellProblem("数値を入力してください（日付や TRUE/FALSE は使えません）。")
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise _CellProblem("数値を入力してください。")
        return format(number.normalize(), "f")
    return str(value)


# The entry workbook's words for 実施 and 中止, as the entry form's choices.
_DONE_WORDS = {"": "", "実施": "1", "未実施": "0"}
_CANCEL_WORDS = {
    "": "",
    "中止なし": "",
    **{label: scope for scope, label in xlsx.CANCEL_CHOICES.items()},
    "中止": Result.CancelScope.YEAR,  # workbooks made when 中止 meant the rest of the year
}


def _read_entry(
    sheet: str,
    row: xlsx.SheetRow,
    position: dict[str, int],
    item: PlanItem,
    current: Result | None,
    quarter: int,
    confirmed: bool,
    errors: _Collector,
) -> ResultInput | None:
    """One row of the workbook, cleaned by the entry page's own form (``RowForm``).

    Only what cannot happen on a screen (formulas, dates, TRUE/FALSE) is checked here;
    every rule about the values — limits, decimals by unit, 中止, plausibility — is the
    form's, with the form's messages, placed at the row and column of the cell.
    """
    before = len(errors.problems)
    target = item.target_at(quarter)
    figure_names = [name for name, _ in figure_fields(target)]
    column_of: dict[str, str] = {}  # form field → workbook column
    data: dict[str, str] = {}
    prefix = f"r{item.pk}-"

    def put(field_name: str, column: str, reader) -> None:
        if column not in position:
            return
        column_of[field_name] = column
        text = errors.read(reader, sheet, row, position[column], "")
        if text.strip() if isinstance(text, str) else text:
            data[prefix + field_name] = text

    figure_columns = ["value"] + [c for c in sorted(position) if re.fullmatch(r"extra[0-9]+", c)]
    figure_columns.sort(key=lambda c: 0 if c == "value" else int(c[5:]))
    for index, column in enumerate(figure_columns):
        name = "value" if index == 0 else f"x{index - 1}"
        if name in figure_names:
            put(name, column, _figure_text)
        elif column in position and errors.read(_figure_text, sheet, row, position[column], ""):
            errors.add(
                "この行には実績の数を入力できません（「実施」「未実施」で入力します）。"
                if not figure_names
                else "この行にはこの列の数はありません。空にしてください。",
                sheet,
                row.number,
                _letter(position, column),
            )
    for name in ("done", "cancelled", "cancel_reason", "note", "reason"):
        put(name, name, _text)
    words = {"done": _DONE_WORDS, "cancelled": _CANCEL_WORDS}
    for name, known in words.items():
        key = prefix + name
        if key in data:
            typed = data[key].strip()
            data[key] = known.get(typed, typed)  # an unknown word: the form's message
    if prefix + "done" in data and not target_takes_done(target):
        errors.add(
            "この行は「実施」「未実施」ではなく、実績の数で入力します。",
            sheet,
            row.number,
            _letter(position, "done"),
        )
    if confirmed:
        data[prefix + "confirm"] = "on"
    if len(errors.problems) > before:
        return None
    form = RowForm(data, item=item, target=target, quarter=quarter, current=current)
    if not form.is_valid():
        for name, messages in form.errors.items():
            column = column_of.get(name)
            for message in messages:
                errors.add(
                    message,
                    sheet,
                    row.number,
                    _letter(position, column) if column else "",
                )
        return None
    return form.to_input()


def target_takes_done(target) -> bool:
    """Rows without figures (qualitative, or a figure that could not be read) take 実施."""
    return target.kind != Kind.NONE and not figure_fields(target)


def _check_reasons(
    sheet: str,
    row: xlsx.SheetRow,
    position: dict[str, int],
    item: PlanItem,
    entry: ResultInput,
    results: dict[int, list[Result]],
    quarter: int,
    tolerance: Decimal,
    errors: _Collector,
) -> None:
    """A row entered as 遅れ or 未着手 must explain why (blank rows are not judged yet)."""
    new = Result(item=item, quarter=quarter, **entry.as_fields())
    if not new.is_entered:
        return
    progress = item_progress(item, [*results.get(item.pk, []), new], quarter, tolerance=tolerance)
    if progress.status.is_shortfall and not progress.explained:
        errors.add(
            f"{progress.status}のため、理由・今後の対応を入力してください。",
            sheet,
            row.number,
            _letter(position, "reason"),
        )
