import django_tables2 as tables
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from .models import CollaborationProject


def _badges(values) -> str:
    return format_html_join(
        "",
        '<span class="badge text-bg-light border me-1 mb-1 text-wrap text-start">{}</span>',
        ((value.label,) for value in values),
    )


class ProjectTable(tables.Table):
    """A city's 協働事業一覧: sortable by 番号, 協働分野, 部, 課, 事業名 and 中止."""

    position = tables.Column("番号", order_by=("number", "position"))
    area = tables.Column("協働分野")
    department = tables.Column("部")
    section = tables.Column("課")
    name = tables.Column("事業名", linkify=True)
    categories = tables.Column("分類", empty_values=(), orderable=False)
    partners = tables.Column("相手", empty_values=(), orderable=False)
    forms = tables.Column("形態", empty_values=(), orderable=False)
    cancelled = tables.Column("中止")
    reviews = tables.Column("ふりかえり", empty_values=(), orderable=False)

    class Meta:
        model = CollaborationProject
        fields = ()
        sequence = (
            "position",
            "area",
            "department",
            "section",
            "name",
            "categories",
            "partners",
            "forms",
            "cancelled",
            "reviews",
        )
        attrs = {"class": "table table-sm table-hover align-middle collab-projects"}
        row_attrs = {"class": lambda record: "table-secondary" if record.cancelled else ""}
        per_page = 100
        empty_text = "該当する協働事業はありません。"

    def render_position(self, record: CollaborationProject) -> str:
        return str(record.number if record.number is not None else record.position)

    def render_area(self, record: CollaborationProject) -> str:
        return record.get_area_display()

    def render_categories(self, record: CollaborationProject) -> str:
        return _badges(record.categories)

    def render_partners(self, record: CollaborationProject) -> str:
        return _badges(record.partners)

    def render_forms(self, record: CollaborationProject) -> str:
        return _badges(record.forms)

    def render_cancelled(self, value: bool) -> str:
        return mark_safe('<span class="badge text-bg-dark">中止</span>') if value else ""

    def render_reviews(self, record: CollaborationProject) -> str:
        reviews = sorted(record.reviews.all(), key=lambda review: review.year)
        return format_html_join(
            "",
            '<span class="badge text-bg-info me-1">{}</span>',
            ((review.year_label,) for review in reviews),
        )
