"""Every page, as every demo role, in the words of a 社協 office.

The demo is loaded (the real 令和2年度 plan, sample 実績, one login per role) with a
city's 協働事業一覧 and a finished book; then every URL pattern of the project is opened
with real objects by every demo user. A page that answers must contain no English word,
no developer word and no raw field name or stored value; a refused or missing page must
be the Japanese error page with the header and a way back.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from books.models import BookJob
from books.services import book_job_run
from collab.models import CollaborationProject
from plans.demo import demo_load
from plans.models import Department, Organization, PlanItem, Section, User

from .test_url_access import ACCESS, plan_import, revision, url_names

SEEDS = Path(__file__).resolve().parent / "data" / "seeds"
DEMO_USERS = ("jimukyoku", "kacho", "kakaricho", "kakaricho2", "riji", "city", "kyodo")

# Words of Latin letters that a council user may read: the product's name, file kinds,
# units and names used in Japanese offices.
ALLOWED_LATIN = {
    "shakyo",
    "excel",
    "xlsx",
    "xls",
    "xlsm",
    "csv",
    "pdf",
    "mb",
    "npo",
    "api",  # 「データ連携（API）」
}
# Developer words and raw names that must not reach a screen, whatever the language.
FORBIDDEN = (
    "システムの解釈",
    "解析結果",
    "目標（主数値）",
    "主数値",
    "副次",
    "行キー",
    "西暦",
    "（なし） → （なし）",
    "Select an option",
    "---------",
    "None",
    "True",
    "False",
    "null",
)
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_]+")
# Other ways of writing a date or a year than the screens' one (「令和2年12月2日 13:28」,
# 「令和2年度」): 2020/12/02, 2020-12-02, 2020年12月2日, 令和２年度.
OTHER_STYLES = re.compile(r"\d{4}[/-]\d{1,2}[/-]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日|令和[０-９]+年度")


class _Text(HTMLParser):
    """What a person reads on a page: text outside scripts and styles, and the labels
    carried in attributes (title, placeholder, aria-label, alt, button values)."""

    _HIDDEN = {"script", "style"}
    _READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._HIDDEN:
            self._skip += 1
        attributes = dict(attrs)
        for name in self._READ_ATTRIBUTES & attributes.keys():
            self.parts.append(attributes[name] or "")
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self._HIDDEN and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(part.strip() for part in parser.parts if part.strip())


def problems_in(text: str, content_words: frozenset[str] = frozenset()) -> list[str]:
    """Developer words, then Latin words that are neither allowed nor the council's own
    text (a plan row may well say 「SNS」 or 「Wi-Fi」)."""
    found = [word for word in FORBIDDEN if word in text]
    found += [match for match in OTHER_STYLES.findall(text) if match not in content_words]
    found += sorted(
        {
            word
            for word in LATIN_WORD.findall(text)
            if word.lower() not in ALLOWED_LATIN and word not in found and word not in content_words
        }
    )
    return found


def council_text_words() -> frozenset[str]:
    """Latin words and dates written by people into the stored data (plans, 実績,
    協働事業): the printed plan says 「令和２年度は、…」 in its own words."""
    from django.apps import apps
    from django.db import models

    words: set[str] = set()
    for app in ("plans", "results", "collab"):
        for model in apps.get_app_config(app).get_models():
            if model._meta.model_name in ("auditevent", "user"):
                continue
            names = [
                f.name
                for f in model._meta.get_fields()
                if isinstance(f, models.CharField | models.TextField | models.JSONField)
                and not f.choices
            ]
            for row in model.objects.values_list(*names):
                text = " ".join(str(value) for value in row)
                words.update(LATIN_WORD.findall(text))
                words.update(OTHER_STYLES.findall(text))
    # Login names and mail addresses are what the 事務局 typed in (the 利用者 pages show
    # them); the user's other columns (its password hash) are not words of the council.
    for login in User.objects.values_list("username", "email"):
        words.update(LATIN_WORD.findall(" ".join(login)))
    return frozenset(words)


@pytest.fixture
def demo(db, r2_plan_data):
    summary = demo_load(data=r2_plan_data)
    call_command(
        "import_collaboration",
        str(SEEDS / "000_130e65980c83cad3.txt"),
        "--year",
        "2020",
        stdout=StringIO(),
    )
    users = {user.username: user for user in User.objects.filter(username__in=DEMO_USERS)}
    for user in users.values():
        user.set_password("walk-pass")
        user.save(update_fields=["password"])
    section = Section.objects.get(name="地域福祉推進係")
    item = (
        PlanItem.objects.filter(initiative__business__section=section, results__isnull=False)
        .distinct()
        .first()
    )
    city = Organization.objects.get(name="西東京市")
    project = CollaborationProject.objects.filter(organization=city).first()
    jobs = {}
    for username in DEMO_USERS:
        user = users[username]
        if username == "kyodo":
            continue
        kind = BookJob.Kind.CITY_EXPORT if username == "city" else BookJob.Kind.PLAN_EXPORT
        job = BookJob.objects.create(
            organization_id=user.organization_id,
            user=user,
            kind=kind,
            year=2020,
            quarter=2 if kind == BookJob.Kind.CITY_EXPORT else None,
            commissioner=city if kind == BookJob.Kind.CITY_EXPORT else None,
        )
        book_job_run(job_id=job.pk)
        jobs[username] = job
    # A 補正 waiting for the 事務局, and a plan workbook read in, waiting for its review.
    (revision_pk,) = revision({"item_a": item})
    (import_pk,) = plan_import({"item_a": item})
    return {
        "revision": revision_pk,
        "plan_import": import_pk,
        "content_words": council_text_words(),
        "users": users,
        "fiscal_year": summary.fiscal_year,
        "section": section,
        "department": Department.objects.get(pk=section.department_id),
        "item": item,
        "business": item.initiative.business,
        "city": city,
        "project": project,
        "jobs": jobs,
        "person": users["kakaricho"],
    }


# The arguments of every GET page, from the demo's real objects (POST-only views are
# forms' targets: their answers are the pages they redirect to, walked here too).
def page_args(name: str, o: dict, username: str) -> tuple[list, dict] | None:
    job = o["jobs"].get(username)
    table = {
        "home": ([], {}),
        "login": None,  # walked signed out below
        "password_change": ([], {}),
        "password_change_done": ([], {}),
        # A link that is not (or no longer) valid; tests/test_people.py walks a valid one.
        "password_reset_confirm": (["MQ", "not-a-token"], {}),
        "password_reset_complete": ([], {}),
        "plans:users": ([], {}),
        "plans:user_add": ([], {}),
        "plans:user_edit": ([o["person"].pk], {}),
        "plans:latest": ([], {}),
        "plans:year": ([2020], {}),
        "plans:review": ([2020], {}),
        "plans:item_edit": ([o["item"].pk], {}),
        "plans:item_structure": ([o["item"].pk], {}),
        "plans:target_preview": ([], {"target": "1回（160人）", "detail": "5月に開催"}),
        "plans:audit": ([], {}),
        "plans:lockouts": ([], {}),
        "plans:revisions": ([2020], {}),
        "plans:import_preview": ([o["plan_import"]], {}),
        "results:home": ([], {}),
        "results:dashboard_latest": ([], {}),
        "results:dashboard": ([2020, 2], {}),
        "results:item_detail": ([o["item"].pk], {}),
        "results:business_rows": ([2020, 2, o["business"].pk], {}),
        "results:item_history": ([o["item"].pk], {}),
        "results:entry": ([2020, 2, o["section"].pk], {}),
        "results:row_status": ([2020, 2, o["item"].pk], {}),
        "results:department": ([2020, 2, o["department"].pk], {}),
        "results:manage": ([2020], {}),
        "books:index": ([], {}),
        "books:job": ([job.pk], {}) if job else None,
        "books:job_status": None,  # JSON for the progress bar, not a page
        "books:download": None,  # the workbook itself
        "collab:index": ([], {}),
        "collab:import": ([], {}),
        "collab:list": ([o["city"].pk, 2020], {}),
        "collab:project_create": ([o["city"].pk, 2020], {}),
        "collab:project": ([o["project"].pk], {}),
        "collab:project_edit": ([o["project"].pk], {}),
        "collab:profile": ([o["project"].pk], {}),
        "collab:review": ([o["project"].pk, 2020], {}),
        "collab:review_export": None,  # the workbook itself
        "api:tokens": ([], {}),
        "books:summary": ([2020, 2, o["section"].pk], {}),
    }
    return table.get(name)


WALKED = {
    name
    for name in ACCESS
    if ACCESS[name].method == "get"
    and name
    not in (
        "login",
        "books:job_status",
        "books:download",
        "collab:review_export",
        # The read API answers programs in JSON; its token page is walked.
        "api:years",
        "api:items",
        "api:results",
        "api:schema",
    )
}


def test_the_walk_covers_every_page():
    """A new page must be added to ``page_args`` (and so to the walk)."""
    fake = {
        "item": type("O", (), {"pk": 1})(),
        "business": type("O", (), {"pk": 1})(),
        "section": type("O", (), {"pk": 1})(),
        "department": type("O", (), {"pk": 1})(),
        "city": type("O", (), {"pk": 1})(),
        "project": type("O", (), {"pk": 1})(),
        "jobs": {"jimukyoku": type("O", (), {"pk": 1})()},
        "plan_import": 1,
        "person": type("O", (), {"pk": 1})(),
    }
    assert set(url_names()) == set(ACCESS)
    assert {name for name in WALKED if page_args(name, fake, "jimukyoku") is None} == set()


def _check_page(response, where: str, failures: list[str], content: frozenset[str]) -> None:
    if response.status_code in (403, 404):
        html = response.content.decode()
        heading = (
            "このページは表示できません"
            if response.status_code == 403
            else "ページが見つかりません"
        )
        if heading not in html or "トップページへ戻る" not in html or "navbar" not in html:
            failures.append(f"{where}: {response.status_code} is not the Japanese error page")
    if response.status_code not in (200, 400, 403, 404):
        failures.append(f"{where}: status {response.status_code}")
        return
    if "text/html" not in response.get("Content-Type", ""):
        return
    found = problems_in(visible_text(response.content.decode()), content)
    if found:
        failures.append(f"{where}: {found}")


def test_every_page_as_every_role_is_in_japanese(demo):
    failures: list[str] = []
    anonymous = Client()
    content = demo["content_words"]
    _check_page(anonymous.get(reverse("login")), "login (signed out)", failures, content)
    for username in DEMO_USERS:
        client = Client()
        assert client.login(username=username, password="walk-pass")
        for name in sorted(WALKED):
            spec = page_args(name, demo, username)
            if spec is None:
                continue
            args, query = spec
            response = client.get(reverse(name, args=args), query, follow=True)
            _check_page(response, f"{username} {name}", failures, content)
        # Pages that do not exist: no such row, no such address.
        for path in (reverse("results:item_detail", args=[999999]), "/no-such-page/"):
            response = client.get(path)
            assert response.status_code == 404, path
            _check_page(response, f"{username} {path}", failures, content)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("令和2年度 第2四半期の実績", []),
        ("- Select an option -", ["Select an option", "Select", "an", "option"]),
        ("state: （なし） → draft", ["draft", "state"]),
        ("is_open,deadline: [True, '2019-01-01']", ["True", "2019-01-01", "deadline", "is_open"]),
        ("Excel ブック（.xlsx）を選んでください", []),
        ("システムの解釈", ["システムの解釈"]),
        ("提出 2020/12/02 13:28", ["2020/12/02"]),
        ("令和２年度　総務課　事業計画", ["令和２年度"]),
        ("令和2年12月2日 13:28 提出", []),
        ("2026年12月1日 20:57", ["2026年12月1日"]),
    ],
)
def test_the_walk_finds_english_and_developer_words(text, found):
    assert problems_in(text) == found
