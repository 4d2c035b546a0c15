"""協働事業 screens: who may do what (200 / 403 per role), and what each screen shows."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from collab import selectors
from collab.models import SCORE_FIELDS, CollaborationProject, ProjectValue, Review
from collab.parsing import Choice, ProjectRecord
from collab.services import collaboration_import
from plans.models import User
from results.models import Result, SectionQuarter

from .factories import PASSWORD, CityFactory, UserFactory

SEEDS = Path(__file__).resolve().parent / "data" / "seeds"
KOGANEI = SEEDS / "001_069e6f1201844a42.txt"
Role = User.Role


def scores(*values: int) -> dict[str, int]:
    return dict(zip(SCORE_FIELDS, values, strict=True))


@pytest.fixture
def collab(world):
    """西東京市 (the world's city) with a small 2020 inventory, a review, and city users."""
    city = world.city
    collaboration_import(
        organization=city,
        year=2020,
        records=[
            ProjectRecord(
                line=1,
                name="ささえあいメール見守りサービス",
                area="commission",
                department="健康福祉部",
                section="高齢者支援課",
                summary="電子メールで高齢者の見守りを行う。",
                categories=[Choice("welfare")],
                partners=[Choice("npo"), Choice("other", "地域の団体")],
                forms=[Choice("commission"), Choice("cooperation")],
            ),
            ProjectRecord(
                line=2,
                name="手話講習会",
                area="commission",
                department="健康福祉部",
                section="障害福祉課",
                cancelled=True,
                categories=[Choice("welfare"), Choice("culture")],
                forms=[Choice("commission")],
            ),
            ProjectRecord(
                line=3,
                name="花いっぱい運動",
                area="cooperation",
                department="みどり環境部",
                section="みどり公園課",
                categories=[Choice("environment")],
                forms=[Choice("cooperation")],
            ),
        ],
    )
    mail = CollaborationProject.objects.get(name="ささえあいメール見守りサービス")
    Review.objects.create(project=mail, year=2020, **scores(4, 3, 3, 4, 5, 2, 4))
    other_city = CityFactory(name="小金井市")
    world.users.update(
        {
            "collab_staff": UserFactory(organization=city, role=Role.COLLAB_STAFF),
            "city_dept": UserFactory(
                organization=city, role=Role.CITY, city_department="高齢者支援課"
            ),
            "other_city_staff": UserFactory(organization=other_city, role=Role.COLLAB_STAFF),
        }
    )
    world.mail = mail
    world.sign = CollaborationProject.objects.get(name="手話講習会")
    return world


def client_for(client, user):
    client.force_login(user)
    return client


ALL_ROLES = [
    "collab_staff",
    "city",
    "city_dept",
    "board",
    "secretariat",
    "department_head",
    "staff_a",
    "other_org",
    "no_role",
    "other_city_staff",
]
READERS = {"collab_staff", "city", "city_dept", "board", "secretariat"}


def expected(allowed: set[str], ok: int = 200) -> list[tuple[str, int]]:
    return [(role, ok if role in allowed else 403) for role in ALL_ROLES]


@pytest.mark.parametrize(
    ("role", "status"),
    expected(READERS | {"other_city_staff"}),
)
def test_index_permissions(client, collab, role, status):
    response = client_for(client, collab.users[role]).get(reverse("collab:index"))
    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), expected(READERS))
def test_list_permissions(client, collab, role, status):
    url = reverse("collab:list", args=[collab.city.pk, 2020])
    assert client_for(client, collab.users[role]).get(url).status_code == status


@pytest.mark.parametrize(("role", "status"), expected(READERS))
def test_detail_permissions(client, collab, role, status):
    url = reverse("collab:project", args=[collab.mail.pk])
    assert client_for(client, collab.users[role]).get(url).status_code == status


@pytest.mark.parametrize(("role", "status"), expected(READERS))
def test_export_permissions(client, collab, role, status):
    url = reverse("collab:review_export", args=[collab.mail.pk, 2020])
    assert client_for(client, collab.users[role]).get(url).status_code == status


@pytest.mark.parametrize(
    "name",
    ["project_edit", "profile"],
)
@pytest.mark.parametrize(("role", "status"), expected({"collab_staff"}))
def test_inventory_edit_screens_are_for_the_citys_collab_staff_only(
    client, collab, name, role, status
):
    url = reverse(f"collab:{name}", args=[collab.mail.pk])
    assert client_for(client, collab.users[role]).get(url).status_code == status


@pytest.mark.parametrize(("role", "status"), expected({"collab_staff"}))
def test_create_permissions(client, collab, role, status):
    create = reverse("collab:project_create", args=[collab.city.pk, 2020])
    assert client_for(client, collab.users[role]).get(create).status_code == status


@pytest.mark.parametrize(("role", "status"), expected({"collab_staff", "other_city_staff"}))
def test_import_permissions(client, collab, role, status):
    # The import always goes into the user's own city: 小金井市's staff import 小金井市's list.
    response = client_for(client, collab.users[role]).get(reverse("collab:import"))
    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), expected({"collab_staff"}, ok=302))
def test_delete_permissions(client, collab, role, status):
    url = reverse("collab:project_delete", args=[collab.sign.pk])
    assert client_for(client, collab.users[role]).post(url).status_code == status
    assert CollaborationProject.objects.filter(pk=collab.sign.pk).exists() == (status == 403)


@pytest.mark.parametrize(("role", "status"), expected({"collab_staff", "city", "city_dept"}))
def test_review_permissions_on_the_departments_own_project(client, collab, role, status):
    url = reverse("collab:review", args=[collab.mail.pk, 2020])
    assert client_for(client, collab.users[role]).get(url).status_code == status


@pytest.mark.parametrize(("role", "status"), expected({"collab_staff", "city"}))
def test_review_of_another_departments_project(client, collab, role, status):
    url = reverse("collab:review", args=[collab.sign.pk, 2020])
    assert client_for(client, collab.users[role]).get(url).status_code == status


def test_anonymous_users_are_sent_to_the_login_page(client, collab):
    for url in (
        reverse("collab:index"),
        reverse("collab:list", args=[collab.city.pk, 2020]),
        reverse("collab:project", args=[collab.mail.pk]),
        reverse("collab:import"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_board_post_to_review_is_refused_and_nothing_changes(client, collab):
    url = reverse("collab:review", args=[collab.mail.pk, 2020])
    response = client_for(client, collab.users["board"]).post(url, {"effectiveness": 0})
    assert response.status_code == 403
    assert Review.objects.get(project=collab.mail).effectiveness == 4


# --------------------------------------------------------------------------- list


def test_list_shows_counts_by_form_and_category_with_charts(client, collab):
    url = reverse("collab:list", args=[collab.city.pk, 2020])
    response = client_for(client, collab.users["board"]).get(url)
    content = response.content.decode()
    assert response.context["form_counts"] == [
        ("commission", "委託", 2),
        ("cooperation", "事業協力", 2),
    ]
    assert response.context["category_counts"] == [
        ("welfare", "福祉", 2),
        ("culture", "学術、文化、芸術、スポーツ", 1),
        ("environment", "環境保全", 1),
    ]
    assert 'class="collab-bar-chart"' in content
    assert 'data-label="委託" data-count="2"' in content
    assert "事業は全部で <strong>3件</strong>" in content
    assert 'class="collab-bar-chart"' in content
    assert "chart.js" not in content.lower()  # drawn on the server, nothing fetched


def test_list_filters_by_form_cancelled_section_and_keyword(client, collab):
    url = reverse("collab:list", args=[collab.city.pk, 2020])
    logged_in = client_for(client, collab.users["city"])

    def names(**query):
        response = logged_in.get(url, query)
        return [row.record.name for row in response.context["table"].rows]

    assert names(form="commission", cancelled="yes") == ["手話講習会"]
    assert names(form="cooperation") == ["ささえあいメール見守りサービス", "花いっぱい運動"]
    assert names(category="culture") == ["手話講習会"]
    assert names(partner="npo") == ["ささえあいメール見守りサービス"]
    assert names(section="みどり公園課") == ["花いっぱい運動"]
    assert names(cancelled="no", q="見守り") == ["ささえあいメール見守りサービス"]


def test_list_sorts_by_column(client, collab):
    url = reverse("collab:list", args=[collab.city.pk, 2020])
    response = client_for(client, collab.users["city"]).get(url, {"sort": "-section"})
    sections = [row.record.section for row in response.context["table"].rows]
    assert sections == sorted(["高齢者支援課", "障害福祉課", "みどり公園課"], reverse=True)


def test_list_query_count_does_not_grow_with_the_projects(
    client, collab, django_assert_num_queries
):
    url = reverse("collab:list", args=[collab.city.pk, 2020])
    logged_in = client_for(client, collab.users["collab_staff"])
    logged_in.get(url)  # warm the session
    # 1 session, 2 user, 3 city, 4 visible-city check, 5 sections for the filter,
    # 6 table count, 7 counts by 形態, 8 counts by 分類, 9 table page,
    # 10 prefetch values, 11 prefetch reviews,
    # 12–14 savepoint, session update, release (SESSION_SAVE_EVERY_REQUEST)
    with django_assert_num_queries(14):
        logged_in.get(url)
    for index in range(5):
        CollaborationProject.objects.create(
            organization=collab.city, year=2020, name=f"追加{index}", position=10 + index
        )
    with django_assert_num_queries(14):
        logged_in.get(url)


# --------------------------------------------------------------------------- detail


def test_detail_shows_values_in_order_and_the_review_radar(client, collab):
    url = reverse("collab:project", args=[collab.mail.pk])
    content = client_for(client, collab.users["city"]).get(url).content.decode()
    assert content.index("1. NPO法人") < content.index("2. その他（地域の団体）")
    assert 'class="collab-radar-chart"' in content
    assert 'data-series="令和2年度" data-scores="4,3,3,4,5,2,4"' in content


def test_detail_shows_the_linked_business_targets_and_results(client, collab):
    business = collab.commissioned
    item = business.initiatives.first().items.first()
    Result.objects.create(item=item, quarter=1, value=3)
    Result.objects.create(item=item, quarter=2, value=5)  # entered, not approved
    SectionQuarter.objects.create(
        fiscal_year=business.fiscal_year,
        section=business.section,
        quarter=1,
        state=SectionQuarter.State.APPROVED,
    )
    collab.mail.business = business
    collab.mail.save()
    url = reverse("collab:project", args=[collab.mail.pk])
    response = client_for(client, collab.users["board"]).get(url)
    content = response.content.decode()
    assert "受託の事業" in content
    assert item.target_text in content
    # Approved figures only, as on the city's dashboard: the unapproved 5 is not shown.
    assert response.context["business_targets"].rows[0].actual == 3
    assert response.context["business_targets"].rows[0].cells == ["3", "", "", ""]
    assert 'class="badge text-bg-' in content


def test_collab_staff_links_a_project_to_the_councils_business(client, collab):
    url = reverse("collab:project_edit", args=[collab.mail.pk])
    logged_in = client_for(client, collab.users["collab_staff"])
    form = logged_in.get(url).context["form"]
    assert list(form.fields["business"].queryset) == [collab.commissioned]
    data = {
        "name": collab.mail.name,
        "area": "commission",
        "department": "健康福祉部",
        "section": "高齢者支援課",
        "summary": "見守り",
        "business": collab.commissioned.pk,
        "category1": "welfare",
        "category2": "health",
        "partner1": "other",
        "partner1_text": "見守りボランティア",
        "form1": "commission",
    }
    response = logged_in.post(url, data)
    assert response.status_code == 302
    collab.mail.refresh_from_db()
    assert collab.mail.business == collab.commissioned
    assert [v.label for v in collab.mail.categories] == ["福祉", "保健、医療"]
    assert [v.label for v in collab.mail.partners] == ["その他（見守りボランティア）"]
    assert [v.label for v in collab.mail.forms] == ["委託"]


def test_project_form_refuses_free_text_without_other(client, collab):
    url = reverse("collab:project_edit", args=[collab.mail.pk])
    response = client_for(client, collab.users["collab_staff"]).post(
        url, {"name": "x", "form1": "commission", "form1_text": "自由"}
    )
    assert response.status_code == 400
    assert "内容を書けるのは「その他」のときだけです。" in response.content.decode()
    assert ProjectValue.objects.filter(project=collab.mail, kind="form").count() == 2


def test_collab_staff_adds_a_project(client, collab):
    url = reverse("collab:project_create", args=[collab.city.pk, 2020])
    response = client_for(client, collab.users["collab_staff"]).post(
        url, {"name": "新しい協働事業", "section": "協働コミュニティ課", "form1": "co_hosting"}
    )
    assert response.status_code == 302
    project = CollaborationProject.objects.get(name="新しい協働事業")
    assert (project.year, project.area, project.position) == (2020, "co_hosting", 4)


def test_profile_reads_wareki_and_budgets(client, collab):
    url = reverse("collab:profile", args=[collab.mail.pk])
    logged_in = client_for(client, collab.users["collab_staff"])
    response = logged_in.post(
        url,
        {
            "start_year_text": "平成21",
            "city_budget_text": "1,180",
            "total_budget_text": "不明",
            "survey_type": 2,
            "reasons": [6, 4],
            "involvement": 1,
            "issues": [12],
        },
    )
    assert response.status_code == 302
    collab.mail.refresh_from_db()
    assert (collab.mail.start_year, collab.mail.city_budget, collab.mail.total_budget) == (
        2009,
        1180,
        None,
    )
    assert (collab.mail.survey_type, collab.mail.reasons, collab.mail.issues) == (2, [4, 6], [12])
    content = logged_in.get(reverse("collab:project", args=[collab.mail.pk])).content.decode()
    assert "2009年" in content
    assert "1180千円" in content
    assert "市・市民の共同" in content


def test_profile_refuses_what_it_cannot_read(client, collab):
    url = reverse("collab:profile", args=[collab.mail.pk])
    response = client_for(client, collab.users["collab_staff"]).post(
        url, {"start_year_text": "むかし", "city_budget_text": "たくさん"}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "始期「むかし」を年として読めません" in content
    assert "予算「たくさん」を千円単位の金額として読めません" in content


# --------------------------------------------------------------------------- review


def review_post(**overrides):
    data = {
        "partner_name": "NPO法人 見守りの会",
        "purpose": "高齢者の見守り",
        "expected_effect": "孤立の防止",
        **scores(5, 4, 3, 2, 1, 0, 5),
        "result": "登録者が増えた",
        "partner_comment": "周知が課題",
        "city_comment": "継続したい",
        "outlook": "対象を広げる",
    }
    data.update(overrides)
    return data


def test_department_writes_a_review_and_sees_the_radar_with_other_years(client, collab):
    # The same project in the 2021 list: its review overlays the 2020 one.
    next_year = CollaborationProject.objects.create(
        organization=collab.city,
        year=2021,
        name=collab.mail.name,
        section=collab.mail.section,
    )
    url = reverse("collab:review", args=[next_year.pk, 2021])
    logged_in = client_for(client, collab.users["city_dept"])
    response = logged_in.post(url, review_post())
    assert response.status_code == 302
    review = Review.objects.get(project=next_year)
    assert review.scores == [5, 4, 3, 2, 1, 0, 5]
    assert review.updated_by == collab.users["city_dept"]
    content = logged_in.get(url).content.decode()
    assert 'data-series="令和3年度" data-scores="5,4,3,2,1,0,5"' in content
    assert 'data-series="令和2年度" data-scores="4,3,3,4,5,2,4"' in content


def test_review_refuses_a_score_out_of_range_and_a_missing_score(client, collab):
    url = reverse("collab:review", args=[collab.sign.pk, 2020])
    data = review_post(effectiveness=6)
    del data["achievement"]
    response = client_for(client, collab.users["collab_staff"]).post(url, data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "0〜5のどれかを選んでください。" in content
    assert "正しく選択してください" in content
    assert not Review.objects.filter(project=collab.sign).exists()


def test_review_export_is_an_xlsx_with_scores_comments_and_radar(client, collab):
    url = reverse("collab:review", args=[collab.mail.pk, 2020])
    logged_in = client_for(client, collab.users["collab_staff"])
    logged_in.post(url, review_post())
    response = logged_in.get(reverse("collab:review_export", args=[collab.mail.pk, 2020]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [sheet[f"G{row}"].value for row in range(11, 18)] == [5, 4, 3, 2, 1, 0, 5]
    assert sheet["B3"].value == "NPO法人 見守りの会"
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert "周知が課題" in values
    assert "継続したい" in values
    assert type(sheet._charts[0]).__name__ == "RadarChart"


def test_review_of_an_unknown_year_is_404(client, collab):
    url = reverse("collab:review_export", args=[collab.mail.pk, 2019])
    assert client_for(client, collab.users["collab_staff"]).get(url).status_code == 404


# --------------------------------------------------------------------------- import


def test_koganei_staff_import_seed_001_under_koganei(client, collab):
    koganei_staff = collab.users["other_city_staff"]
    koganei = koganei_staff.organization
    logged_in = client_for(client, koganei_staff)
    upload = SimpleUploadedFile("koganei.txt", KOGANEI.read_bytes(), "text/plain")
    response = logged_in.post(reverse("collab:import"), {"file": upload, "year": 2021}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("collab:list", args=[koganei.pk, 2021])
    content = response.content.decode()
    assert "小金井市 令和3年度 協働事業一覧" in content
    assert "西東京市" not in content
    assert "77件の協働事業を取り込みました" in content
    assert "要確認: 160行目" in content
    assert CollaborationProject.objects.filter(organization=koganei, year=2021).count() == 77
    assert not CollaborationProject.objects.filter(organization=collab.city, year=2021).exists()
    # The ふりかえりシート of one of its projects is headed by 小金井市.
    project = CollaborationProject.objects.filter(organization=koganei, year=2021).first()
    response = logged_in.post(reverse("collab:review", args=[project.pk, 2021]), review_post())
    assert response.status_code == 302
    sheet = load_workbook(
        io.BytesIO(logged_in.get(reverse("collab:review_export", args=[project.pk, 2021])).content)
    ).active
    headings = [cell.value for row in sheet.iter_rows(max_row=3) for cell in row if cell.value]
    assert any("小金井市" in str(value) for value in headings)
    assert not any("西東京市" in str(value) for value in headings)


def test_nishitokyo_staff_cannot_file_koganeis_list_under_their_city(client, collab):
    logged_in = client_for(client, collab.users["collab_staff"])
    upload = SimpleUploadedFile("koganei.txt", KOGANEI.read_bytes(), "text/plain")
    response = logged_in.post(reverse("collab:import"), {"file": upload, "year": 2021})
    assert response.status_code == 400
    assert (
        "このファイルは小金井市の一覧です。西東京市の協働事業一覧には取り込めません。"
        in response.content.decode()
    )
    assert not CollaborationProject.objects.filter(year=2021).exists()


def test_a_list_of_a_city_nobody_registered_is_refused_with_the_known_cities(client, collab):
    from plans.models import Organization

    Organization.objects.filter(name="小金井市").update(name="小金井市（旧）")
    logged_in = client_for(client, collab.users["collab_staff"])
    upload = SimpleUploadedFile("koganei.txt", KOGANEI.read_bytes(), "text/plain")
    response = logged_in.post(reverse("collab:import"), {"file": upload, "year": 2021})
    assert response.status_code == 400
    content = response.content.decode()
    assert "このファイルは小金井市の一覧ですが、市「小金井市」は登録されていません" in content
    assert "（登録されている市: 小金井市（旧）、西東京市）。" in content
    assert not CollaborationProject.objects.filter(year=2021).exists()


def test_upload_with_errors_lists_them_all_and_stores_nothing(client, collab):
    logged_in = client_for(client, collab.users["collab_staff"])
    text = "事業名,分類1,中止\n見守り,環境,\n配食,福祉,たぶん\n"
    upload = SimpleUploadedFile("list.csv", text.encode("cp932"), "text/csv")
    response = logged_in.post(reverse("collab:import"), {"file": upload, "year": 2021})
    assert response.status_code == 400
    content = response.content.decode()
    assert "取り込みませんでした。" in content
    assert "2行目: 分類「環境」は選択肢にありません" in content
    assert "3行目: 中止欄の「たぶん」は読めません" in content
    assert not CollaborationProject.objects.filter(year=2021).exists()


def test_upload_refuses_a_year_already_imported(client, collab):
    logged_in = client_for(client, collab.users["collab_staff"])
    upload = SimpleUploadedFile("list.csv", "事業名\n見守り\n".encode(), "text/csv")
    response = logged_in.post(reverse("collab:import"), {"file": upload, "year": 2020})
    assert response.status_code == 400
    assert "西東京市の令和2年度の協働事業一覧は取り込み済みです（3件）" in response.content.decode()


def test_login_with_password_works_for_city_staff(client, collab):
    user = collab.users["collab_staff"]
    assert client.login(username=user.username, password=PASSWORD)


def test_review_workbook_overlays_other_years_and_keeps_text_as_text(collab):
    from books.xlsx import review_workbook

    earlier = CollaborationProject.objects.create(
        organization=collab.city, year=2019, name=collab.mail.name, section=collab.mail.section
    )
    Review.objects.create(project=earlier, year=2019, **scores(1, 1, 2, 2, 3, 3, 4))
    current = Review.objects.get(project=collab.mail)
    current.city_comment = "=1+1"
    current.save()
    content = review_workbook(current, selectors.project_history(collab.mail))
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["G10"].value == "令和2年度"
    assert sheet["I10"].value == "令和元年度"
    assert [sheet[f"I{row}"].value for row in range(11, 18)] == [1, 1, 2, 2, 3, 3, 4]
    [chart] = sheet._charts
    assert len(chart.series) == 2
    values = [cell for row in sheet.iter_rows() for cell in row if cell.value == "=1+1"]
    assert [cell.data_type for cell in values] == ["s"]
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4  # A4 = "9"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True


def _detail_score_table(content: str) -> list[list[str]]:
    import re

    table = content.split('class="table table-sm table-bordered collab-scores small">')[1]
    table = table.split("</table>")[0]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


def test_detail_shows_the_scores_by_year_beside_the_radar_in_the_same_queries(
    client, collab, django_assert_num_queries
):
    url = reverse("collab:project", args=[collab.mail.pk])
    logged_in = client_for(client, collab.users["city"])
    logged_in.get(url)  # the session and the user are read once, like any later page
    with django_assert_num_queries(9):
        content = logged_in.get(url).content.decode()
    assert _detail_score_table(content) == [
        ["視点", "令和2年度"],
        ["①協働の有効性", "4"],
        ["②目的の設定", "3"],
        ["③目的の共有", "3"],
        ["④目的の達成度", "4"],
        ["⑤協力体制", "5"],
        ["⑥受益者の満足度", "2"],
        ["⑦団体の満足度", "4"],
    ]
    # Two more years (the same project in the 2021 and 2022 lists): a column each, oldest first,
    # and not one more query.
    for year, values in ((2021, (5, 4, 4, 4, 5, 3, 5)), (2022, (1, 2, 3, 4, 5, 0, 1))):
        later = CollaborationProject.objects.create(
            organization=collab.city, year=year, name=collab.mail.name, section=collab.mail.section
        )
        Review.objects.create(project=later, year=year, **scores(*values))
    with django_assert_num_queries(9):
        content = logged_in.get(url).content.decode()
    rows = _detail_score_table(content)
    assert rows[0] == ["視点", "令和2年度", "令和3年度", "令和4年度"]
    assert rows[1][1:] == ["4", "5", "1"]
    assert rows[6][1:] == ["2", "3", "0"]
