"""Floors: each benchmarked page's data read by one hand-written SQL query, as a bare table.

A floor view is served by the same gunicorn, settings and middleware (session, login,
CSRF, CSP) as the page it stands for, so ``page / floor`` measures what the ORM, the
status rule, forms and templates add on top of reading the same rows. The queries are
plain SQL that runs on SQLite and PostgreSQL alike; they check no permission and judge
no status — that is what makes them floors.

Mounted only by ``bench.urls`` (settings ``bench.settings``), never in production.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from html import escape

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

_ROWS = """
SELECT d.name, s.name, b.name, n.title, i.id, i."group", i.name, i.target_text,
       r.quarter, r.value, r.done, r.cancelled, r.note, r.reason
FROM plans_planitem i
JOIN plans_initiative n ON n.id = i.initiative_id
JOIN plans_business b ON b.id = n.business_id
JOIN plans_fiscalyear y ON y.id = b.fiscal_year_id
JOIN plans_section s ON s.id = b.section_id
JOIN plans_department d ON d.id = s.department_id
LEFT JOIN results_result r ON r.item_id = i.id AND r.quarter <= %s
WHERE y.year = %s AND {where}
ORDER BY d."order", d.id, s."order", s.id, b."order", b.id, n."order", n.id, i."order", i.id,
         r.quarter
"""

_PLAN = """
SELECT d.name, s.name, b.name, n.number, n.title, n.policy, i."group", i.name, i.detail,
       i.target_text
FROM plans_planitem i
JOIN plans_initiative n ON n.id = i.initiative_id
JOIN plans_business b ON b.id = n.business_id
JOIN plans_fiscalyear y ON y.id = b.fiscal_year_id
JOIN plans_section s ON s.id = b.section_id
JOIN plans_department d ON d.id = s.department_id
WHERE y.year = %s AND y.organization_id = %s
ORDER BY d."order", d.id, s."order", s.id, b."order", b.id, n."order", n.id, i."order", i.id
"""

_UPSERT = """
INSERT INTO results_result
    (item_id, quarter, value, extra_values, done, cancelled, cancel_reason, note, reason,
     updated_at, updated_by_id)
VALUES {values}
ON CONFLICT (item_id, quarter) DO UPDATE SET
    value = excluded.value, note = excluded.note, reason = excluded.reason,
    updated_at = excluded.updated_at, updated_by_id = excluded.updated_by_id
"""


def _table(rows: Iterable[Sequence]) -> HttpResponse:
    """A bare HTML table of ``rows`` (every value escaped)."""
    parts = ["<!doctype html><title>floor</title><table>"]
    for row in rows:
        parts.append("<tr>")
        for value in row:
            parts.append(f"<td>{escape('' if value is None else str(value))}</td>")
        parts.append("</tr>")
    parts.append("</table>")
    return HttpResponse("".join(parts))


def _rows(quarter: int, year: int, where: str, value: int) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(_ROWS.format(where=where), [quarter, year, value])
        return cursor.fetchall()


@login_required
@require_GET
def entry(request: HttpRequest, year: int, quarter: int, section_id: int) -> HttpResponse:
    """The entry page's rows and their 実績 up to the quarter."""
    return _table(_rows(quarter, year, "b.section_id = %s", section_id))


@login_required
@require_GET
def dashboard(request: HttpRequest, year: int, quarter: int) -> HttpResponse:
    """The board dashboard's rows (the whole organisation) and their 実績."""
    return _table(_rows(quarter, year, "y.organization_id = %s", request.user.organization_id))


@login_required
@require_GET
def city_dashboard(request: HttpRequest, year: int, quarter: int) -> HttpResponse:
    """The city dashboard's rows (businesses the user's city commissioned) and 実績."""
    return _table(_rows(quarter, year, "b.commissioned_by_id = %s", request.user.organization_id))


@login_required
@require_GET
def plan(request: HttpRequest, year: int) -> HttpResponse:
    """The plan page's 課 → 係 → 事業 → 取り組み → rows."""
    with connection.cursor() as cursor:
        cursor.execute(_PLAN, [year, request.user.organization_id])
        return _table(cursor.fetchall())


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "")) if text.strip() else None
    except InvalidOperation:
        return None


@login_required
@require_POST
def save(request: HttpRequest, year: int, quarter: int, section_id: int) -> HttpResponse:
    """A save of the entry form's values (``r<id>-value``, ``-note``, ``-reason``): one upsert."""
    post = request.POST
    item_ids = sorted(
        {int(key[1:].split("-")[0]) for key in post if key.startswith("r") and "-" in key}
    )
    now = timezone.now()
    params: list = []
    for item_id in item_ids:
        params += [
            item_id,
            quarter,
            _decimal(post.get(f"r{item_id}-value", "")),
            "[]",
            None,
            False,
            "",
            post.get(f"r{item_id}-note", ""),
            post.get(f"r{item_id}-reason", ""),
            now,
            request.user.pk,
        ]
    if item_ids:
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(item_ids))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_UPSERT.format(values=values), params)
    return HttpResponse(status=204)
