"""協働事業: the import's year and the 始期 are real years (issue #16 item 7)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from collab.parsing import parse_start_year
from shakyo.lib.fiscal import era_last_year

from .test_collab_views import client_for, collab  # noqa: F401  (fixture)

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("moment", "selected", "label"),
    [
        # December 2026 is in 令和8年度; next year's 令和9年度 is offered but not chosen.
        (datetime(2026, 12, 1, 10, tzinfo=TOKYO), 2026, "令和8年度"),
        # March 2027 still belongs to 令和8年度 …
        (datetime(2027, 3, 31, 23, tzinfo=TOKYO), 2026, "令和8年度"),
        # … and April 1st starts 令和9年度.
        (datetime(2027, 4, 1, 0, 30, tzinfo=TOKYO), 2027, "令和9年度"),
    ],
)
def test_import_form_chooses_the_current_fiscal_year(client, collab, moment, selected, label):  # noqa: F811
    with time_machine.travel(moment, tick=False):
        response = client_for(client, collab.users["collab_staff"]).get(reverse("collab:import"))
    content = response.content.decode()
    assert f'<option value="{selected}" selected>{label}</option>' in content
    assert content.count(" selected>") == 1


@pytest.mark.parametrize(
    ("era", "last"),
    [("明治", 45), ("大正", 15), ("昭和", 64), ("平成", 31), ("H", 31), ("令和", None)],
)
def test_era_last_year(era, last):
    assert era_last_year(era) == last


TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("平成31", 2019),
        ("昭和64", 1989),
        ("大正15", 1926),
        ("①令和８", 2026),
        ("令和9", 2027),  # next year: a project planned to start then
        ("2027", 2027),
    ],
)
def test_start_year_accepts_the_last_year_of_an_era_and_next_year(text, expected):
    assert parse_start_year(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("平成32", "始期「平成32」の平成32年はありません（平成は31年までです）"),
        ("①昭和６５", "始期「①昭和６５」の昭和65年はありません（昭和は64年までです）"),
        ("大正16", "始期「大正16」の大正16年はありません（大正は15年までです）"),
        ("令和99", "始期「令和99」は2027年より先の年です。2027年までの年を書いてください"),
        ("令和10", "始期「令和10」は2027年より先の年です"),
        ("2028", "始期「2028」は2027年より先の年です"),
    ],
)
def test_start_year_refuses_a_year_no_era_or_calendar_has(text, message):
    with pytest.raises(ValueError, match=message.replace("（", "\\（").replace("）", "\\）")):
        parse_start_year(text, today=TODAY)


def test_profile_refuses_reiwa_99_and_keeps_the_start_year(client, collab):  # noqa: F811
    collab.mail.start_year = 2009
    collab.mail.save(update_fields=["start_year"])
    url = reverse("collab:profile", args=[collab.mail.pk])
    response = client_for(client, collab.users["collab_staff"]).post(
        url, {"start_year_text": "令和99"}
    )
    assert response.status_code == 400
    assert "始期「令和99」は" in response.content.decode()
    assert "年より先の年です" in response.content.decode()
    collab.mail.refresh_from_db()
    assert collab.mail.start_year == 2009
