"""The 帳票 page: ask for a book or an import, watch its progress, download the file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from plans import access as plan_access
from plans.models import Organization, Section
from plans.selectors import visible_years
from results.basis import Purpose, basis_for
from results.now import now_for
from shakyo.lib.fiscal import fiscal_year_of

from . import access, services
from .forms import ExportForm, SummaryForm, UploadForm
from .models import BookJob

_EXPORTS = {
    "plan": BookJob.Kind.PLAN_EXPORT,
    "report": BookJob.Kind.REPORT_EXPORT,
    "city": BookJob.Kind.CITY_EXPORT,
    "entry": BookJob.Kind.ENTRY_EXPORT,
    "packet": BookJob.Kind.BOARD_PACKET,
}


def _get_job_for_user(request: HttpRequest, pk: int) -> BookJob:
    """The job ``pk`` if it is the user's own (404 / 403 otherwise)."""
    job = get_object_or_404(BookJob.objects.select_related("commissioner", "section"), pk=pk)
    plan_access.require(job.user_id == request.user.pk)
    return job


def _get_section_for_entry(request: HttpRequest, pk: int | None) -> Section:
    """A section whose offline 実績 workbook the user may make (404 / 403 otherwise)."""
    section = get_object_or_404(Section.objects.select_related("department"), pk=pk)
    plan_access.require(access.can_enter_section(request.user, section))
    return section


def _plan_import_years(years: list[int]) -> list[int]:
    """Years a plan can be imported into: those with a plan, the current fiscal year and
    the next one (the plan being drafted), newest first."""
    current = fiscal_year_of(timezone.localdate())
    return sorted({*years, current, current + 1, *(y + 1 for y in years[:1])}, reverse=True)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    years = visible_years(user)
    now = now_for(user)
    context = {
        "years": years,
        "quarters": [1, 2, 3, 4],
        # Forms open on the year and quarter being worked on (results.now), never on the
        # newest year or 第4四半期.
        "now_year": now.year if now else None,
        "now_quarter": now.quarter if now else None,
        "can_export_plan": access.can_export_plan(user) and bool(years),
        "city_bodies": list(access.city_bodies(user)),
        "entry_sections": list(access.entry_sections(user).select_related("department")),
        "can_import_plan": access.can_import_plan(user),
        "can_include_unapproved": plan_access.can_read_unapproved(user),
        "import_years": _plan_import_years(years),
        "jobs": BookJob.objects.filter(user=user).select_related("commissioner", "section")[:10],
    }
    plan_access.require(
        context["can_export_plan"] or context["city_bodies"] or context["entry_sections"]
    )
    return render(request, "books/index.html", context)


@login_required
@require_POST
def export(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in _EXPORTS:
        raise Http404
    job_kind = _EXPORTS[kind]
    user = request.user
    # Who may ask for this kind of book at all, before reading the request.
    plan_access.require(
        {
            BookJob.Kind.PLAN_EXPORT: access.can_export_plan(user),
            BookJob.Kind.REPORT_EXPORT: access.can_export_plan(user),
            BookJob.Kind.CITY_EXPORT: access.city_bodies(user).exists(),
            BookJob.Kind.ENTRY_EXPORT: access.entry_sections(user).exists(),
            BookJob.Kind.BOARD_PACKET: access.can_export_plan(user),
        }[job_kind]
    )
    form = ExportForm(request.POST, needs_quarter=job_kind != BookJob.Kind.PLAN_EXPORT)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("books:index")
    year = form.cleaned_data["year"]
    quarter = form.cleaned_data["quarter"] if job_kind != BookJob.Kind.PLAN_EXPORT else None
    section = commissioner = None
    include_unapproved = form.cleaned_data["include_unapproved"]
    if job_kind in (BookJob.Kind.REPORT_EXPORT, BookJob.Kind.CITY_EXPORT):
        # Refused (403) for the board and the city: they read approved figures only.
        purpose = Purpose.REPORT if job_kind == BookJob.Kind.REPORT_EXPORT else Purpose.CITY_REPORT
        basis_for(user, purpose, include_unapproved=include_unapproved)
    else:
        include_unapproved = False
    if job_kind in (
        BookJob.Kind.PLAN_EXPORT,
        BookJob.Kind.REPORT_EXPORT,
        BookJob.Kind.BOARD_PACKET,
    ):
        plan_access.require(access.can_export_plan(user) and year in visible_years(user))
    elif job_kind == BookJob.Kind.CITY_EXPORT:
        commissioner = get_object_or_404(Organization, pk=form.cleaned_data["commissioner"])
        plan_access.require(access.can_export_city(user, commissioner))
    else:
        section = _get_section_for_entry(request, form.cleaned_data["section"])
        plan_access.require(year in visible_years(user))
    job = services.book_job_create(
        user=user,
        kind=job_kind,
        year=year,
        quarter=quarter,
        section=section,
        commissioner=commissioner,
        include_unapproved=include_unapproved,
        file_format=form.cleaned_data["file_format"],
    )
    return redirect("books:job", pk=job.pk)


def _upload(request: HttpRequest, kind: BookJob.Kind, allowed: bool) -> HttpResponse:
    plan_access.require(allowed)
    form = UploadForm(
        request.POST, request.FILES, needs_quarter=kind == BookJob.Kind.RESULTS_IMPORT
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("books:index")
    job = services.book_job_create(
        user=request.user,
        kind=kind,
        year=form.cleaned_data["year"],
        quarter=form.cleaned_data.get("quarter"),
        confirm_figures=kind == BookJob.Kind.RESULTS_IMPORT
        and form.cleaned_data["confirm_figures"],
        upload=form.cleaned_data["file"],
    )
    return redirect("books:job", pk=job.pk)


@login_required
@require_POST
def import_plan(request: HttpRequest) -> HttpResponse:
    return _upload(request, BookJob.Kind.PLAN_IMPORT, access.can_import_plan(request.user))


@login_required
@require_POST
def import_results(request: HttpRequest) -> HttpResponse:
    allowed = access.entry_sections(request.user).exists()
    return _upload(request, BookJob.Kind.RESULTS_IMPORT, allowed)


@login_required
@require_GET
def job(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "books/job.html", {"job": _get_job_for_user(request, pk)})


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _get_job_for_user(request, pk)
    return JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "progress": job.progress,
            "message": job.message,
            "finished": job.is_finished,
            "download_url": reverse("books:download", args=[job.pk])
            if job.state == BookJob.State.DONE and job.result
            else "",
            "errors": len(job.errors),
        }
    )


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> FileResponse:
    job = _get_job_for_user(request, pk)
    if job.state != BookJob.State.DONE or not job.result:
        raise Http404("ファイルはまだできていません。")
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name)


@login_required
def summary(request: HttpRequest, year: int, quarter: int, section_id: int) -> HttpResponse:
    """総括: the 係 edits the drafts written from the approved figures; the 課長 reads them."""
    if quarter not in (1, 2, 3, 4):
        raise Http404
    section = get_object_or_404(Section.objects.select_related("department"), pk=section_id)
    plan_access.require(access.can_read_summary(request.user, section))
    written = services.section_summary(section=section, year=year, quarter=quarter)
    if written is None:
        raise Http404("この年度のこの係には事業がありません。")
    editable = access.can_edit_summary(request.user, section)
    form = SummaryForm(request.POST or None, summary=written)
    if request.method == "POST":
        plan_access.require(editable)
        if form.is_valid():
            changed = services.report_summary_save(
                user=request.user,
                section=section,
                summary=written,
                quarter=quarter,
                texts=form.texts(),
            )
            messages.success(
                request,
                f"総括を保存しました（{changed}件を変更）。事業報告と理事会資料に載ります。"
                if changed
                else "変更はありませんでした。",
            )
            return redirect("books:summary", year=year, quarter=quarter, section_id=section.pk)
    return render(
        request,
        "books/summary.html",
        {
            "section": section,
            "year": year,
            "quarter": quarter,
            "summary": written,
            "form": form,
            "editable": editable,
            "quarters": (1, 2, 3, 4),
        },
    )
