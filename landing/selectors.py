"""What needs a person now: the reads behind the landing page, in a fixed number of queries.

Which work belongs to whom is decided by the access modules (``plans.access``); this
module only gathers it. Every list is built here in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from books.models import BookJob
from collab.access import visible_cities
from plans import access
from plans.models import Business, FiscalYear, Section, TargetRevision, User
from results.models import QuarterWindow, SectionQuarter
from results.now import now_for
from shakyo.lib.fiscal import FiscalQuarter

# How many finished book jobs the landing page lists (newest first).
JOBS_SHOWN = 5


@dataclass
class OpenWindow:
    """A quarter whose entry window is open, with its deadline."""

    window: QuarterWindow
    today: date

    @property
    def fiscal_year(self) -> FiscalYear:
        return self.window.fiscal_year

    @property
    def year(self) -> int:
        return self.window.fiscal_year.year

    @property
    def quarter(self) -> int:
        return self.window.quarter

    @property
    def label(self) -> str:
        return str(FiscalQuarter(self.year, self.quarter))

    @property
    def deadline(self) -> date | None:
        return self.window.deadline

    @property
    def days_left(self) -> int | None:
        return None if self.deadline is None else (self.deadline - self.today).days

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.deadline < self.today


@dataclass
class OwnEntry:
    """The 係長's own entry for an open quarter."""

    window: OpenWindow
    section: Section
    section_quarter: SectionQuarter | None

    @property
    def state(self) -> str:
        return self.section_quarter.state if self.section_quarter else SectionQuarter.State.DRAFT

    @property
    def state_label(self) -> str:
        if self.section_quarter is None:
            return "未入力"
        return self.section_quarter.get_state_display()

    @property
    def to_do(self) -> bool:
        return self.state in (SectionQuarter.State.DRAFT, SectionQuarter.State.RETURNED)


@dataclass
class Missing:
    """A 係 that has not submitted an open quarter (for the 事務局)."""

    window: OpenWindow
    section: Section
    section_quarter: SectionQuarter | None

    @property
    def state_label(self) -> str:
        if self.section_quarter is None:
            return "未入力"
        return self.section_quarter.get_state_display()


@dataclass
class WindowSummary:
    """How far the council is with an open quarter (for the 事務局)."""

    window: OpenWindow
    sections: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    missing: list[Missing] = field(default_factory=list)


@dataclass
class Landing:
    windows: list[OpenWindow] = field(default_factory=list)
    own_entries: list[OwnEntry] = field(default_factory=list)
    corrections: list[SectionQuarter] = field(default_factory=list)
    approvals: list[SectionQuarter] = field(default_factory=list)
    department_id: int | None = None
    summaries: list[WindowSummary] = field(default_factory=list)
    revisions: list[TargetRevision] = field(default_factory=list)
    jobs: list[BookJob] = field(default_factory=list)
    plan_year: int | None = None
    reads_results: bool = False
    collab_cities: list = field(default_factory=list)

    @property
    def has_tasks(self) -> bool:
        return bool(
            self.corrections
            or self.approvals
            or any(entry.to_do for entry in self.own_entries)
            or any(summary.missing for summary in self.summaries)
            or self.revisions
        )


def _open_windows(user: User, today: date) -> list[OpenWindow]:
    windows = QuarterWindow.objects.filter(
        fiscal_year__organization_id=user.organization_id, is_open=True
    ).select_related("fiscal_year")
    return [
        OpenWindow(window=w, today=today)
        for w in sorted(windows, key=lambda w: (w.fiscal_year.year, w.quarter))
    ]


def _own_section(landing: Landing, section_id: int) -> None:
    """係長・担当: their entry of each open quarter, and every 差戻し still to correct.

    Queries: the section, its section-quarters.
    """
    section = Section.objects.select_related("department").get(pk=section_id)
    entries = list(
        SectionQuarter.objects.filter(section_id=section_id)
        .select_related("fiscal_year", "decided_by")
        .order_by("fiscal_year__year", "quarter")
    )
    by_period = {(sq.fiscal_year_id, sq.quarter): sq for sq in entries}
    landing.own_entries = [
        OwnEntry(
            window=window,
            section=section,
            section_quarter=by_period.get((window.fiscal_year.pk, window.quarter)),
        )
        for window in landing.windows
    ]
    landing.corrections = [sq for sq in entries if sq.state == SectionQuarter.State.RETURNED]


def _approvals(landing: Landing, department_id: int) -> None:
    """課長: the entries of their 課 waiting for a decision. Queries: one."""
    landing.department_id = department_id
    landing.approvals = list(
        SectionQuarter.objects.filter(
            section__department_id=department_id, state=SectionQuarter.State.SUBMITTED
        )
        .select_related("section", "fiscal_year", "submitted_by")
        .order_by("fiscal_year__year", "quarter", "section__order", "section__id")
    )


def _council_progress(landing: Landing) -> None:
    """事務局: per open quarter, how many 係 have submitted, and who has not.

    Queries: the planned (year, 係) pairs, the sections, the section-quarters — three,
    whatever the number of open quarters.
    """
    year_ids = {window.fiscal_year.pk for window in landing.windows}
    if not year_ids:
        return
    planned = set(
        Business.objects.filter(fiscal_year_id__in=year_ids)
        .values_list("fiscal_year_id", "section_id")
        .distinct()
    )
    sections = list(
        Section.objects.filter(pk__in={section_id for _, section_id in planned})
        .select_related("department")
        .order_by("department__order", "department__id", "order", "id")
    )
    entries = {
        (sq.fiscal_year_id, sq.section_id, sq.quarter): sq
        for sq in SectionQuarter.objects.filter(fiscal_year_id__in=year_ids)
    }
    State = SectionQuarter.State
    for window in landing.windows:
        summary = WindowSummary(window=window)
        year_id = window.fiscal_year.pk
        for section in sections:
            if (year_id, section.pk) not in planned:
                continue
            summary.sections += 1
            sq = entries.get((year_id, section.pk, window.quarter))
            state = sq.state if sq else State.DRAFT
            if state == State.SUBMITTED:
                summary.submitted += 1
            elif state == State.APPROVED:
                summary.approved += 1
            else:
                if state == State.RETURNED:
                    summary.returned += 1
                summary.missing.append(Missing(window=window, section=section, section_quarter=sq))
        landing.summaries.append(summary)


def _revisions(landing: Landing, organization_id: int) -> None:
    """事務局: 補正 requests of its council waiting for a decision. Queries: one."""
    landing.revisions = list(
        TargetRevision.objects.filter(
            state=TargetRevision.State.REQUESTED,
            item__initiative__business__fiscal_year__organization_id=organization_id,
        )
        .select_related(
            "item__initiative__business__section", "item__initiative__business__fiscal_year"
        )
        .select_related("requested_by")
        .order_by("requested_at", "id")
    )


def _finished_jobs(user: User) -> list[BookJob]:
    return list(
        BookJob.objects.filter(
            Q(state=BookJob.State.DONE) | Q(state=BookJob.State.FAILED), user=user
        ).order_by("-finished_at", "-id")[:JOBS_SHOWN]
    )


def landing(user: User, *, today: date) -> Landing:
    """Everything the landing page lists for ``user``.

    Queries (besides the session and the user): the visible plan years; for council
    members the open windows; then 係長 +2, 課長 +1, 事務局 +3 (when a window is open)
    and +1 (補正 waiting);
    the finished book jobs; for those who read 協働事業一覧 the cities.
    """
    result = Landing()
    if access.reads_council_results(user):
        result.reads_results = True
        result.windows = _open_windows(user, today)
        section_id = access.own_entry_section_id(user)
        if section_id:
            _own_section(result, section_id)
        department_id = access.deciding_department_id(user)
        if department_id:
            _approvals(result, department_id)
        if access.oversees_organization(user):
            _council_progress(result)
            _revisions(result, user.organization_id)
    # The plan to open: the year the person is working in (results.now).
    now = now_for(user, today=today)
    result.plan_year = now.year if now else None
    result.jobs = _finished_jobs(user)
    result.collab_cities = list(visible_cities(user))
    return result
