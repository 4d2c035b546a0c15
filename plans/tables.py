from datetime import datetime

import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from targets.display import describe_target

from .audit import describe_changes
from .models import AuditEvent, PlanItem, User
from .templatetags.wareki import wareki


class ReviewTable(tables.Table):
    """The rows of a year with what the parser understood; 要確認 rows stand out."""

    department = tables.Column(
        "課",
        accessor="initiative__business__section__department__name",
        orderable=False,
        attrs={"td": {"class": "text-nowrap"}},
    )
    section = tables.Column(
        "係",
        accessor="initiative__business__section__name",
        orderable=False,
        attrs={"td": {"class": "text-nowrap"}},
    )
    business = tables.Column("事業", accessor="initiative__business__name", orderable=False)
    group = tables.Column("項目")
    name = tables.Column("内容")
    target_text = tables.Column("目標値")
    understood = tables.Column("読み取った目標", empty_values=(), orderable=False)
    needs_review = tables.Column("要確認")
    edit = tables.Column("", empty_values=(), orderable=False)

    class Meta:
        model = PlanItem
        fields = ()
        sequence = (
            "department",
            "section",
            "business",
            "group",
            "name",
            "target_text",
            "understood",
            "needs_review",
            "edit",
        )
        attrs = {"class": "table table-sm table-hover align-middle"}
        row_attrs = {"class": lambda record: "table-warning" if record.needs_review else ""}
        per_page = 50
        empty_text = "該当する行はありません。"

    def __init__(self, *args, editable_section_ids: set[int] | None = None, **kwargs):
        self.editable_section_ids = editable_section_ids or set()
        super().__init__(*args, **kwargs)

    def render_understood(self, record: PlanItem) -> str:
        return format_html_join(
            "",
            '<span class="badge text-bg-light border me-1">{}</span>',
            ((phrase,) for phrase in describe_target(record.parsed)),
        )

    def render_needs_review(self, value: bool) -> str:
        return (
            format_html('<span class="badge text-bg-warning">{}</span>', "要確認") if value else ""
        )

    def render_edit(self, record: PlanItem) -> str:
        if record.initiative.business.section_id not in self.editable_section_ids:
            return ""
        return format_html(
            '<a class="btn btn-sm btn-outline-primary" href="{}">編集</a>',
            record.get_absolute_url(),
        )


class AuditTable(tables.Table):
    at = tables.Column("日時")
    user = tables.Column("利用者", default="（システム）")
    action = tables.Column("操作")
    section = tables.Column("係", accessor="section__name", default="")
    summary = tables.Column("内容")
    changes = tables.Column("変更（旧 → 新）", orderable=False)

    class Meta:
        model = AuditEvent
        fields = ()
        sequence = ("at", "user", "action", "section", "summary", "changes")
        attrs = {"class": "table table-sm align-middle small"}
        empty_text = "記録はありません。"

    def render_at(self, value: datetime) -> str:
        return wareki(value)

    def render_user(self, value: User) -> str:
        return value.display_name

    def render_changes(self, value: dict, record: AuditEvent) -> str:
        return format_html_join(
            "",
            "<div><span class='text-muted'>{}</span>: {}{}</div>",
            (
                (change.label, f"{_short(change.old)} → " if change.old else "", _short(change.new))
                for change in describe_changes(value, record.action)
            ),
        )


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"
