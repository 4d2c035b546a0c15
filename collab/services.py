"""Writes of the 協働事業 app: importing an inventory, editing a project, saving a ふりかえり."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from books import xlsx
from books.safety import UnsafeFile, check_upload
from plans.audit import audit_record
from plans.models import AuditEvent, Organization, User
from shakyo.lib.fiscal import fiscal_year_label

from .models import SCORE_FIELDS, CollaborationProject, ProjectValue, Review
from .parsing import (
    KINDS,
    Choice,
    ParseResult,
    ProjectRecord,
    decode_text,
    parse_collaboration_rows,
    parse_collaboration_text,
)

# The city each real list comes from, so the command needs no --city for them.
FORMAT_CITIES: dict[str, str] = {"nishitokyo": "西東京市", "koganei": "小金井市"}


def collaboration_city_problem(*, file_format: str, city: Organization) -> str | None:
    """Why a list read in ``file_format`` cannot be filed under ``city``, or None.

    西東京市's and 小金井市's own formats name their city: such a list goes under that city
    only. Cities are registered by an operator; an unregistered one is refused with the
    registered ones listed.
    """
    named = FORMAT_CITIES.get(file_format)
    if not named or named == city.name:
        return None
    known = list(
        Organization.objects.filter(kind=Organization.Kind.CITY)
        .order_by("name")
        .values_list("name", flat=True)
    )
    if named not in known:
        return (
            f"このファイルは{named}の一覧ですが、市「{named}」は登録されていません"
            f"（登録されている市: {'、'.join(known) or 'なし'}）。"
        )
    return f"このファイルは{named}の一覧です。{city.name}の協働事業一覧には取り込めません。"


_PROFILE_FIELDS = (
    "start_year",
    "city_budget",
    "total_budget",
    "survey_type",
    "reasons",
    "involvement",
    "agreement",
    "liaison",
    "evaluation",
    "report",
    "outcome",
    "issues",
)
_RECORD_FIELDS = ("number", "area", "department", "section", "name", "summary", "cancelled")


class CollaborationImportError(Exception):
    """An import was refused; ``errors`` are every problem found, in Japanese."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated

    @property
    def message(self) -> str:
        return f"{self.imported}件の協働事業を取り込みました"


def collaboration_parse_file(data: bytes) -> ParseResult:
    """Read an uploaded inventory: an Excel workbook (first sheet) or a text / CSV file.

    A workbook passes the same upload checks as the books' imports (size, type by
    content, macros, password protection, zip bombs) before openpyxl reads it.
    """
    if len(data) > settings.UPLOAD_MAX_BYTES:
        result = ParseResult()
        limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        result.error(0, f"ファイルが大きすぎます（上限 {limit} MB）")
        return result
    if data[:2] == b"PK" or data[:4] == b"\xd0\xcf\x11\xe0":
        try:
            with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
                handle.write(data)
                handle.flush()
                check_upload(handle.name)
        except UnsafeFile as exc:
            result = ParseResult()
            result.error(0, exc.message)
            return result
        rows, error = xlsx.read_sheet_rows(data)
        if error:
            result = ParseResult()
            result.error(0, error)
            return result
        return parse_collaboration_rows(rows)
    text = decode_text(data)
    if text is None:
        result = ParseResult()
        result.error(
            0, "ファイルを読めません。Excel（.xlsx）、CSV、またはテキストを指定してください"
        )
        return result
    return parse_collaboration_text(text)


def _record_key(department: str, section: str, name: str, area: str) -> tuple[str, ...]:
    return (department, section, name, area)


def _values_for(project: CollaborationProject, record: ProjectRecord) -> list[ProjectValue]:
    rows = []
    for kind in KINDS:
        for position, value in enumerate(record.values(kind), start=1):
            rows.append(
                ProjectValue(
                    project=project, kind=kind, position=position, code=value.code, text=value.text
                )
            )
    return rows


def _apply_record(project: CollaborationProject, record: ProjectRecord, position: int) -> None:
    project.position = position
    for name in _RECORD_FIELDS:
        setattr(project, name, getattr(record, name))
    if record.profile is not None:
        for name in _PROFILE_FIELDS:
            setattr(project, name, getattr(record.profile, name))


def _validation_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [
            f"{message}" if name == "__all__" else f"{name}: {message}"
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return list(exc.messages)


@transaction.atomic
def collaboration_import(
    *,
    organization: Organization,
    year: int,
    records: list[ProjectRecord],
    replace: bool = False,
    user: User | None = None,
) -> ImportOutcome:
    """Store a city's inventory for ``year`` from parsed records: all of it, or nothing.

    A year that already has projects is refused unless ``replace``: then a project whose
    部, 課, 事業名 and 協働分野 match a record is updated in place (keeping its profile
    unless the records carry one, its link to a business and its ふりかえり), new records
    are added, and the projects no longer listed are removed — unless they have a
    ふりかえり, which refuses the import. Raises :class:`CollaborationImportError` with
    every problem found.
    """
    errors: list[str] = []
    if organization.kind != Organization.Kind.CITY:
        errors.append(
            f"「{organization.name}」は市ではありません。協働事業一覧は市ごとに取り込みます"
        )
    if not 1989 <= year <= 2200:
        errors.append(f"年度「{year}」が正しくありません")
    if not records:
        errors.append("取り込む協働事業がありません")
    if errors:
        raise CollaborationImportError(errors)

    existing = list(
        CollaborationProject.objects.inventory(organization, year)
        .select_for_update()
        .prefetch_related("reviews")
    )
    if existing and not replace:
        raise CollaborationImportError(
            [
                f"{organization.name}の{fiscal_year_label(year)}の協働事業一覧は取り込み済みです"
                f"（{len(existing)}件）。置き換える場合は「置き換える」を指定してください"
            ]
        )
    by_key: dict[tuple[str, ...], list[CollaborationProject]] = {}
    for project in existing:
        key = _record_key(project.department, project.section, project.name, project.area)
        by_key.setdefault(key, []).append(project)

    outcome = ImportOutcome()
    to_create: list[CollaborationProject] = []
    to_update: list[CollaborationProject] = []
    pairs: list[tuple[CollaborationProject, ProjectRecord]] = []
    for position, record in enumerate(records, start=1):
        key = _record_key(record.department, record.section, record.name, record.area)
        matches = by_key.get(key)
        project = (
            matches.pop(0)
            if matches
            else CollaborationProject(organization=organization, year=year)
        )
        _apply_record(project, record, position)
        try:
            project.full_clean(exclude=["organization", "business"])
        except ValidationError as exc:
            for message in _validation_messages(exc):
                errors.append(f"{record.line}行目「{record.name}」: {message}")
        (to_update if project.pk else to_create).append(project)
        pairs.append((project, record))
    leftovers = [p for projects in by_key.values() for p in projects]
    for project in leftovers:
        if project.reviews.all():
            errors.append(
                f"ふりかえりが登録されている「{project.name}」（{project.section}）が新しい一覧に"
                "ありません。ふりかえりを消してから取り込み直してください"
            )
    if errors:
        raise CollaborationImportError(errors)

    if leftovers:
        CollaborationProject.objects.filter(pk__in=[p.pk for p in leftovers]).delete()
    CollaborationProject.objects.bulk_create(to_create)
    if to_update:
        CollaborationProject.objects.bulk_update(
            to_update, ["position", *_RECORD_FIELDS, *_PROFILE_FIELDS]
        )
        ProjectValue.objects.filter(project__in=to_update).delete()
    ProjectValue.objects.bulk_create(
        [value for project, record in pairs for value in _values_for(project, record)]
    )
    outcome.created, outcome.updated, outcome.deleted = (
        len(to_create),
        len(to_update),
        len(leftovers),
    )
    audit_record(
        organization=organization,
        user=user,
        action=AuditEvent.Action.IMPORTED,
        summary=f"協働事業一覧 {fiscal_year_label(year)}: {outcome.message}",
        changes={
            "created": outcome.created,
            "updated": outcome.updated,
            "deleted": outcome.deleted,
        },
    )
    return outcome


def _set_values(project: CollaborationProject, values: dict[str, list[Choice]]) -> None:
    ProjectValue.objects.filter(project=project).delete()
    rows = [
        ProjectValue(project=project, kind=kind, position=position, code=v.code, text=v.text)
        for kind in KINDS
        for position, v in enumerate(values.get(kind, []), start=1)
    ]
    for row in rows:
        row.full_clean(exclude=["project"])
    ProjectValue.objects.bulk_create(rows)


@transaction.atomic
def project_save(
    *,
    project: CollaborationProject,
    data: dict[str, Any],
    values: dict[str, list[Choice]],
    user: User | None = None,
) -> CollaborationProject:
    """Create or update a project's inventory fields and its ordered 分類 / 相手 / 形態."""
    creating = project.pk is None
    for name, value in data.items():
        setattr(project, name, value)
    if not project.area and values.get("form"):
        project.area = values["form"][0].code
    if creating:
        project.position = (
            max(
                CollaborationProject.objects.inventory(
                    project.organization, project.year
                ).values_list("position", flat=True),
                default=0,
            )
            + 1
        )
    project.full_clean()
    if creating:
        project.save()
    else:
        project.save(update_fields=[*data, "area", "updated_at"])
    _set_values(project, values)
    audit_record(
        organization=project.organization,
        user=user,
        action=AuditEvent.Action.SETTINGS_CHANGED,
        summary=f"協働事業「{project.name}」を{'登録' if creating else '更新'}しました",
    )
    return project


@transaction.atomic
def project_set_profile(
    *, project: CollaborationProject, data: dict[str, Any], user: User | None = None
) -> CollaborationProject:
    """Save a project's A調査票 profile (始期, budgets and coded answers)."""
    fields = [name for name in _PROFILE_FIELDS if name in data]
    for name in fields:
        setattr(project, name, data[name])
    project.full_clean()
    project.save(update_fields=[*fields, "updated_at"])
    audit_record(
        organization=project.organization,
        user=user,
        action=AuditEvent.Action.SETTINGS_CHANGED,
        summary=f"協働事業「{project.name}」のプロフィールを更新しました",
    )
    return project


@transaction.atomic
def project_delete(*, project: CollaborationProject, user: User | None = None) -> None:
    audit_record(
        organization=project.organization,
        user=user,
        action=AuditEvent.Action.SETTINGS_CHANGED,
        summary=f"協働事業「{project.name}」（{project.year_label}）を削除しました",
    )
    project.delete()


@transaction.atomic
def review_save(
    *,
    project: CollaborationProject,
    year: int,
    data: dict[str, Any],
    user: User | None = None,
) -> Review:
    """Create or update the ふりかえり of ``project`` for ``year``."""
    review = Review.objects.filter(project=project, year=year).first() or Review(
        project=project, year=year
    )
    old = {name: getattr(review, name) for name in SCORE_FIELDS} if review.pk else {}
    for name, value in data.items():
        setattr(review, name, value)
    review.updated_by = user if user is not None and user.is_authenticated else None
    review.full_clean()
    review.save()
    audit_record(
        organization=project.organization,
        user=user,
        action=AuditEvent.Action.SETTINGS_CHANGED,
        summary=f"協働事業「{project.name}」の{fiscal_year_label(year)}のふりかえりを保存しました",
        changes={
            name: [old.get(name), getattr(review, name)]
            for name in SCORE_FIELDS
            if old.get(name) != getattr(review, name)
        },
    )
    return review
