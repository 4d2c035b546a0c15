"""協働事業 screens: the inventories, a project, its profile and its ふりかえり, the import."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from books import xlsx
from plans.access import can_view_business, require
from plans.models import Organization
from shakyo.lib.fiscal import fiscal_year_label

from . import access, charts, selectors, services
from .forms import ImportForm, ProfileForm, ProjectFilterForm, ProjectForm, ReviewForm
from .models import PERSPECTIVES, CollaborationProject, Review
from .tables import ProjectTable

RADAR_AXES = [heading for _name, heading, _question in PERSPECTIVES]


def _get_city_for_reader(request: HttpRequest, pk: int) -> Organization:
    city = get_object_or_404(Organization, pk=pk, kind=Organization.Kind.CITY)
    require(access.can_view_city(request.user, city))
    return city


def _get_project_for_reader(request: HttpRequest, pk: int) -> CollaborationProject:
    project = get_object_or_404(
        CollaborationProject.objects.select_related(
            "organization", "business__fiscal_year__organization", "business__section"
        ).prefetch_related("values"),
        pk=pk,
    )
    require(access.can_view_project(request.user, project))
    return project


def _get_project_for_editor(request: HttpRequest, pk: int) -> CollaborationProject:
    project = _get_project_for_reader(request, pk)
    require(access.can_edit_inventory(request.user, project.organization))
    return project


def _get_project_for_reviewer(request: HttpRequest, pk: int) -> CollaborationProject:
    project = _get_project_for_reader(request, pk)
    require(access.can_edit_review(request.user, project))
    return project


def _radar(history: list[Review], current: Review | None = None) -> str:
    """The radar chart of ``current`` (first, on top) and the other years of ``history``."""
    series = []
    if current is not None:
        series.append((current.year_label, current.scores))
    series += [
        (review.year_label, review.scores)
        for review in reversed(history)
        if current is None or review.pk != current.pk
    ]
    return charts.radar_chart(RADAR_AXES, series) if series else ""


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The inventories the user may read, by city and year."""
    cities = access.visible_cities(request.user)
    require(cities.exists())
    editable = [city for city in cities if access.can_edit_inventory(request.user, city)]
    return render(
        request,
        "collab/index.html",
        {"inventories": selectors.inventories(cities), "editable": editable},
    )


@login_required
def project_list(request: HttpRequest, city: int, year: int) -> HttpResponse:
    """A city's 協働事業一覧 for a year: filters, counts by 形態 and 分類, the table."""
    city_obj = _get_city_for_reader(request, city)
    sections = selectors.inventory_sections(city_obj, year)
    form = ProjectFilterForm(request.GET or None, sections=sections)
    filters = form.cleaned_data if form.is_valid() else {}
    projects = selectors.inventory_projects(city_obj, year, filters)
    table = ProjectTable(projects)
    RequestConfig(request, paginate={"per_page": 100}).configure(table)
    form_counts = selectors.form_counts(projects)
    category_counts = selectors.category_counts(projects)
    return render(
        request,
        "collab/project_list.html",
        {
            "city": city_obj,
            "year": year,
            "year_label": fiscal_year_label(year),
            "form": form,
            "table": table,
            "total": table.paginator.count if table.paginator else len(table.rows),
            "form_counts": form_counts,
            "category_counts": category_counts,
            "form_chart": charts.bar_chart(
                [(label, count) for _code, label, count in form_counts], title="形態別の事業数"
            ),
            "category_chart": charts.bar_chart(
                [(label, count) for _code, label, count in category_counts],
                title="分類別の事業数",
            ),
            "can_edit": access.can_edit_inventory(request.user, city_obj),
            "filtered": any(filters.values()) if filters else False,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _score_rows(history: list[Review]) -> list[tuple[str, list[int]]]:
    """The radar's numbers as a table: one row per perspective, one column per review."""
    return [
        (heading, [review.scores[index] for review in history])
        for index, heading in enumerate(RADAR_AXES)
    ]


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project_for_reader(request, pk)
    history = selectors.project_history(project)
    business = None
    if project.business_id and can_view_business(request.user, project.business):
        business = selectors.business_targets(project.business)
    return render(
        request,
        "collab/project_detail.html",
        {
            "project": project,
            "history": history,
            "radar": _radar(history),
            "score_rows": _score_rows(history),
            "business_targets": business,
            "can_edit": access.can_edit_inventory(request.user, project.organization),
            "can_review": access.can_edit_review(request.user, project),
        },
    )


@login_required
def project_create(request: HttpRequest, city: int, year: int) -> HttpResponse:
    city_obj = _get_city_for_reader(request, city)
    require(access.can_edit_inventory(request.user, city_obj))
    project = CollaborationProject(organization=city_obj, year=year)
    return _project_form(request, project, created=True)


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project_for_editor(request, pk)
    return _project_form(request, project, created=False)


def _project_form(
    request: HttpRequest, project: CollaborationProject, *, created: bool
) -> HttpResponse:
    form = ProjectForm(request.POST or None, instance=project, city=project.organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_save(
                project=project, data=form.model_data, values=form.values, user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"協働事業「{project.name}」を保存しました。")
            return redirect(project.get_absolute_url())
    return render(
        request,
        "collab/project_form.html",
        {"project": project, "form": form, "created": created},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def project_delete(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project_for_editor(request, pk)
    city, year, name = project.organization_id, project.year, project.name
    services.project_delete(project=project, user=request.user)
    messages.success(request, f"協働事業「{name}」を削除しました。")
    return redirect("collab:list", city=city, year=year)


@login_required
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The A調査票 profile: 始期, budgets and the coded answers."""
    project = _get_project_for_editor(request, pk)
    form = ProfileForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        services.project_set_profile(project=project, data=form.profile_data, user=request.user)
        messages.success(request, "プロフィール（A調査票）を保存しました。")
        return redirect(project.get_absolute_url())
    return render(
        request,
        "collab/profile_form.html",
        {"project": project, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def review_edit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """Write the ふりかえり of a year; the page draws the radar chart with the other years."""
    project = _get_project_for_reviewer(request, pk)
    if not 1989 <= year <= 2200:
        raise Http404("年度が正しくありません。")
    review = Review.objects.filter(project=project, year=year).first()
    form = ReviewForm(request.POST or None, instance=review or Review(project=project, year=year))
    if request.method == "POST" and form.is_valid():
        review = services.review_save(
            project=project, year=year, data=form.review_data, user=request.user
        )
        messages.success(request, f"{fiscal_year_label(year)}のふりかえりを保存しました。")
        return redirect("collab:review", pk=project.pk, year=year)
    history = selectors.project_history(project)
    return render(
        request,
        "collab/review_form.html",
        {
            "project": project,
            "year": year,
            "year_label": fiscal_year_label(year),
            "form": form,
            "review": review,
            "radar": _radar(history, review),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def review_export(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """The ふりかえりシート of a year as an Excel workbook with the radar chart."""
    project = _get_project_for_reader(request, pk)
    review = get_object_or_404(Review.objects.select_related("project"), project=project, year=year)
    review.project = project
    history = selectors.project_history(project)
    content = xlsx.review_workbook(review, history)
    filename = f"ふりかえりシート_{project.name[:40]}_{review.year_label}.xlsx"
    response = HttpResponse(content, content_type=xlsx.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="furikaeri_{project.pk}_{year}.xlsx"; '
        f"filename*=UTF-8''{quote(filename)}"
    )
    return response


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a 協働事業一覧: every problem is shown and nothing is stored, or all of it is."""
    user = request.user
    city = user.organization if user.is_authenticated and user.organization_id else None
    require(city is not None and access.can_edit_inventory(user, city))
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    warnings: list[str] = []
    result = None
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        result = services.collaboration_parse_file(form.cleaned_data["file"].read())
        warnings = [str(w) for w in result.warnings]
        if result.fiscal_year and result.fiscal_year != year:
            errors.append(
                f"ファイルは{fiscal_year_label(result.fiscal_year)}の一覧ですが、"
                f"{fiscal_year_label(year)}が選ばれています"
            )
        errors += [str(e) for e in result.errors]
        problem = services.collaboration_city_problem(file_format=result.format, city=city)
        if problem:
            errors.append(problem)
        if not errors:
            try:
                outcome = services.collaboration_import(
                    organization=city,
                    year=year,
                    records=result.projects,
                    replace=form.cleaned_data["replace"],
                    user=user,
                )
            except services.CollaborationImportError as exc:
                errors = exc.errors
            else:
                messages.success(request, f"{outcome.message}（{result.format_label}）。")
                for warning in warnings:
                    messages.warning(request, f"要確認: {warning}")
                return redirect("collab:list", city=city.pk, year=year)
    return render(
        request,
        "collab/import.html",
        {"form": form, "errors": errors, "warnings": warnings, "result": result, "city": city},
        status=400 if errors or (request.method == "POST" and not form.is_valid()) else 200,
    )
