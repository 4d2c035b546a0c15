"""The written 事業報告 (総括): sentence rules worked out by hand, the demo's drafts, the
screen where the 係 edits them, and the book that prints them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from books.summary import (
    business_paragraph,
    planned_text,
    row_sentence,
    section_paragraph,
    subject_and_verb,
    yen_text,
)
from results.status import Status


@dataclass
class Row:
    name: str
    target_text: str = ""
    status: Status = Status.ON_TRACK
    actual: Decimal | str | None = None
    rate: Decimal | None = None
    unit: str = "回"
    kind: str = "quantity"
    group: str = ""
    detail: str = ""
    extras: str = ""
    cancel_reason: str = ""
    latest_reason: str = ""
    aggregation: str = "flow"


@pytest.mark.parametrize(
    ("name", "group", "detail", "target", "expected"),
    [
        ("(1)理事会", "理事会、評議員会の開催", "", "7回予定", ("理事会", "開催")),
        ("(1)協力員活動説明会の開催", "", "", "年1回（5月）", ("協力員活動説明会", "開催")),
        ("(2)人事考課評価者研修の実施", "", "", "１回", ("人事考課評価者研修", "実施")),
        (
            "(1) 各媒体を活用した広報",
            "",
            "社協だより「ゆめはーと」の発行",
            "4回",
            ("各媒体を活用した広報", "発行"),
        ),
        ("(2)被保険者の認定調査の実施", "", "", "2,100件程度", ("被保険者の認定調査", "実施")),
        (
            "(3)システムの活用とケース管理",
            "相談",
            "",
            "年12回（月1回）",
            ("システムの活用とケース管理", "実施"),
        ),
        ("", "表彰式の開催", "", "1回", ("表彰式", "開催")),
    ],
)
def test_the_subject_drops_the_numbering_and_names_its_verb(name, group, detail, target, expected):
    row = Row(name=name, group=group, detail=detail, target_text=target)
    assert subject_and_verb(row) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("300000"), "30万円"),
        (Decimal("2530000"), "253万円"),
        (Decimal("1234567"), "123.5万円"),
        (Decimal("15000"), "1.5万円"),
        (Decimal("8000"), "8,000円"),
        (Decimal("10000"), "1万円"),
    ],
)
def test_money_is_written_in_man_yen(amount, expected):
    assert yen_text(amount) == expected


@pytest.mark.parametrize(
    ("written", "quoted"),
    [("7回予定", "7回"), ("年24回 （月2回）", "年24回（月2回）"), ("2,100件程度", "2,100件程度")],
)
def test_the_target_is_quoted_as_written_without_yotei(written, quoted):
    assert planned_text(written) == quoted


# Each expected sentence below was written from the rule by hand.
SENTENCES = [
    # the issue's own example, at year end
    (
        Row(
            "(1)理事会",
            "7回予定",
            Status.BEHIND,
            Decimal("5"),
            Decimal("71.4"),
            group="理事会、評議員会の開催",
            latest_reason="第2四半期の1回は新型コロナウイルス感染症拡大防止のため中止した",
        ),
        4,
        "理事会は7回の予定に対し5回の開催にとどまった（達成率71.4%）。"
        "理由・今後の対応：第2四半期の1回は新型コロナウイルス感染症拡大防止のため中止した。",
    ),
    # on track, within the year
    (
        Row(
            "(1)監事監査",
            "2回",
            Status.ON_TRACK,
            Decimal("1"),
            Decimal("50.0"),
            detail="5月、11月に開催",
        ),
        2,
        "監事監査は2回の予定に対し第2四半期までに1回開催した（達成率50.0%）。",
    ),
    # achieved
    (
        Row("(1)人事考課評価者研修の実施", "１回", Status.ACHIEVED, Decimal("1"), Decimal("100.0")),
        3,
        "人事考課評価者研修は１回の予定に対し第3四半期までに1回実施し、目標を達成した（達成率100.0%）。",
    ),
    # a secondary quantity is given beside the rate
    (
        Row(
            "(1)協力員活動説明会の開催",
            "年1回（5月） 参加者約70人",
            Status.ACHIEVED,
            Decimal("1"),
            Decimal("100.0"),
            extras="参加者 64人",
        ),
        1,
        "協力員活動説明会は年1回（5月）参加者約70人の予定に対し第1四半期までに1回開催し、"
        "目標を達成した（参加者 64人、達成率100.0%）。",
    ),
    # nothing yet although something was expected: the reason follows
    (
        Row(
            "(2)実践研修の開催（まちづくりサミット）",
            "年1回",
            Status.NOT_STARTED,
            Decimal("0"),
            Decimal("0.0"),
            latest_reason="会場が確保できず、1月に延期する",
        ),
        3,
        "実践研修の開催（まちづくりサミット）は年1回の予定に対し、第3四半期までは実施していない。"
        "理由・今後の対応：会場が確保できず、1月に延期する。",
    ),
    # nothing expected yet
    (
        Row("(1)表彰式", "1回", Status.NOT_DUE, Decimal("0"), group="表彰式の開催"),
        2,
        "表彰式は1回の予定で、今後開催する。",
    ),
    # money, in 万円
    (
        Row(
            "(1)助成金の交付",
            "30万円/年1回",
            Status.ON_TRACK,
            Decimal("250000"),
            Decimal("83.3"),
            unit="円",
        ),
        4,
        "助成金の交付は30万円/年1回の予定に対し、25万円となった（達成率83.3%）。",
    ),
    # a level: the latest figure stands at the end of the quarter
    (
        Row(
            "(1)ほっとネット推進員の登録",
            "登録者130人",
            Status.ON_TRACK,
            Decimal("120"),
            Decimal("92.3"),
            unit="人",
            aggregation="level",
        ),
        2,
        "ほっとネット推進員の登録は登録者130人の目標に対し、第2四半期末時点で120人となった（達成率92.3%）。",
    ),
    # a range: the lower bound is the bar
    (
        Row(
            "(1)福祉教育校の指定",
            "1～2校",
            Status.ACHIEVED,
            Decimal("2"),
            Decimal("200.0"),
            unit="校",
        ),
        4,
        "福祉教育校の指定は1～2校の予定に対し2校実施し、目標を達成した（達成率200.0%）。",
    ),
    # cancelled, with a reason that says why
    (
        Row(
            "(1)ふれあい運動会",
            "1回",
            Status.CANCELLED,
            cancel_reason="新型コロナウイルス感染症拡大防止のため",
        ),
        2,
        "ふれあい運動会は新型コロナウイルス感染症拡大防止のため中止した。",
    ),
    # the demo's reason says 中止 itself: the sentence says it once
    (
        Row(
            "(1)チャリティーゴルフ大会",
            "1回",
            Status.CANCELLED,
            cancel_reason="新型コロナウイルス感染症拡大防止のため中止",
        ),
        2,
        "チャリティーゴルフ大会は新型コロナウイルス感染症拡大防止のため中止した。",
    ),
    # 開催 closing a name without の is the verb
    (
        Row("(1)後見人のつどい開催", "1回", Status.ACHIEVED, Decimal("1"), Decimal("100.0")),
        2,
        "後見人のつどいは1回の予定に対し第2四半期までに1回開催し、目標を達成した（達成率100.0%）。",
    ),
    # 「…を作成」 in the target is not repeated before 予定
    (
        Row(
            "(1)情報セキュリティポリシー実施手順書",
            "11項目中8項目を作成",
            Status.ON_TRACK,
            Decimal("4"),
            Decimal("50.0"),
            unit="項目",
            detail="実施手順書の作成",
        ),
        2,
        "情報セキュリティポリシー実施手順書は11項目中8項目の予定に対し第2四半期までに4項目実施した（達成率50.0%）。",
    ),
    # cancelled, with a reason that is not a 「ため」 clause
    (
        Row("(1)ふれあい運動会", "1回", Status.CANCELLED, cancel_reason="会場の改修工事"),
        2,
        "ふれあい運動会は中止した（理由：会場の改修工事）。",
    ),
    # qualitative, done, quoting the latest 実施内容
    (
        Row(
            "(1)職場外研修への職員派遣",
            "随時実施",
            Status.DONE,
            "東京都社協の研修に2名派遣",
            kind="qualitative",
            unit="",
            group="職員研修の実施",
        ),
        2,
        "職場外研修への職員派遣は実施した（東京都社協の研修に2名派遣）。",
    ),
    # qualitative, not done, with its reason
    (
        Row(
            "(2)所管課との協議",
            "随時実施",
            Status.NOT_DONE,
            None,
            kind="qualitative",
            unit="",
            latest_reason="市の担当者の異動により次期に協議する",
        ),
        2,
        "所管課との協議は第2四半期までは実施していない。理由・今後の対応：市の担当者の異動により次期に協議する。",
    ),
    # not entered (or not approved) and no target: nothing to say
    (Row("(1)会議の開催", "4～5回", Status.NOT_ENTERED), 2, ""),
    (Row("(2)式典会場の予約", "", Status.NO_TARGET, kind="none", unit=""), 2, ""),
]


@pytest.mark.parametrize(("row", "quarter", "expected"), SENTENCES)
def test_each_kind_of_row_gets_its_sentence(row, quarter, expected):
    assert row_sentence(row, quarter) == expected


def test_a_business_with_nothing_to_report_says_so():
    assert business_paragraph([Row("(1)会議", "2回", Status.NOT_ENTERED)], 2) == (
        "第2四半期までに報告できる実績はまだない。"
    )


def test_a_business_of_an_unapproved_section_says_why_its_quarter_is_missing():
    rows = [Row("(1)ふれあい運動会", "1回", Status.CANCELLED, cancel_reason="雨天のため")]
    assert business_paragraph(rows, 2, approved=False) == (
        "ふれあい運動会は雨天のため中止した。"
        "第2四半期の実績は課長の承認前のため、まだ記載していない。"
    )


def test_the_section_paragraph_counts_names_shortfalls_and_says_when_unapproved():
    rows = [
        Row("(1)理事会", "7回", Status.ON_TRACK),
        Row("(2)評議員会", "7回", Status.BEHIND),
        Row("(1)監事監査", "2回", Status.ACHIEVED),
        Row("(1)ふれあい運動会", "1回", Status.CANCELLED),
        Row("(1)式典会場の予約", "", Status.NO_TARGET, kind="none"),
    ]
    assert section_paragraph("法人運営係", rows, 2, approved=False) == (
        "法人運営係は、目標のある4項目のうち、第2四半期時点で達成1項目、順調1項目、遅れ1項目、中止1項目である。"
        "遅れ・未着手は評議員会で、理由と今後の対応を各事業に記載した。"
        "中止は1項目（ふれあい運動会）である。"
        "第2四半期の実績は課長の承認前のため、含めていない。"
    )


# --- the demo, the screen and the book -----------------------------------------------------

import re  # noqa: E402

from django.urls import reverse  # noqa: E402

from books import reports, xlsx  # noqa: E402
from books.models import ReportSummary  # noqa: E402
from plans.models import AuditEvent, Business, Section  # noqa: E402

from .factories import PASSWORD  # noqa: E402


@pytest.fixture
def demo(db, r2_plan_data):
    from plans.demo import demo_load

    return demo_load(data=r2_plan_data)


def test_every_business_of_the_demo_at_q2_gets_a_readable_draft(demo):
    book = reports.report_book(Business.objects.all(), year=2020, quarter=2)
    assert len(book.written) == 5
    paragraphs = [s.overall.text for s in book.written] + [
        w.text for s in book.written for _pk, w in s.businesses
    ]
    assert len(paragraphs) == 5 + Business.objects.count()
    for text in paragraphs:
        assert text.endswith("。"), text
        assert "None" not in text and "。。" not in text and "（）" not in text, text
        assert not re.search(r"\d\.\d{2,}%", text), text  # rates to one decimal
        assert "予定予定" not in text and "中止した（理由：" not in text.replace("理由：新", ""), (
            text
        )
    # An approved section reports its rows; an unapproved one says why it does not yet.
    approved = next(s for s in book.written if s.approved)
    assert "の予定に対し第2四半期までに" in "".join(w.text for _pk, w in approved.businesses)
    pending = next(s for s in book.written if not s.approved)
    assert pending.overall.text.endswith("第2四半期の実績は課長の承認前のため、含めていない。")


@pytest.fixture
def section(demo):
    return Section.objects.get(name="法人運営係")


def test_the_section_edits_a_draft_and_the_book_prints_it_marked(client, demo, section, tmp_path):
    from plans.models import User

    staff = User.objects.filter(role=User.Role.SECRETARIAT).first()
    client.login(username=staff.username, password="shakyo-demo")
    url = reverse("books:summary", args=[2020, 2, section.pk])
    page = client.get(url).content.decode()
    assert "理事会は7回の予定に対し" in page
    business = Business.objects.filter(section=section).order_by("order").first()
    form = {"section": "", f"business_{business.pk}": "理事会・評議員会は予定どおり開催した。"}
    for other in Business.objects.filter(section=section).exclude(pk=business.pk):
        form[f"business_{other.pk}"] = ""
    response = client.post(url, form, follow=True)
    assert "総括を保存しました（1件を変更）" in response.content.decode()
    assert ReportSummary.objects.get().text == "理事会・評議員会は予定どおり開催した。"
    event = AuditEvent.objects.get(action=AuditEvent.Action.SUMMARY_EDITED)
    assert event.changes["総括"] == ["（下書き）", "理事会・評議員会は予定どおり開催した。"]

    book = reports.report_book(Business.objects.all(), year=2020, quarter=2)
    path = tmp_path / "report.xlsx"
    xlsx.write_report(book, path)
    from openpyxl import load_workbook

    sheet = load_workbook(path)["総括"]
    texts = [c.value for c in sheet["A"] if c.value]
    assert any(t.endswith("理事会・評議員会は予定どおり開催した。（係で編集）") for t in texts)
    assert any(t.startswith("【法人運営係】\n法人運営係は、目標のある") for t in texts)

    # Emptied, it goes back to the draft written from the figures.
    form[f"business_{business.pk}"] = ""
    client.post(url, form)
    assert not ReportSummary.objects.exists()


def test_the_department_head_reads_the_summary_but_cannot_change_it(client, demo, section):
    from plans.models import User

    head = User.objects.get(username="kacho_somu")
    client.login(username=head.username, password="shakyo-demo")
    url = reverse("books:summary", args=[2020, 2, section.pk])
    page = client.get(url).content.decode()
    assert "理事会は7回の予定に対し" in page and "<textarea" not in page
    assert client.post(url, {"section": "書き換え"}).status_code == 403
    assert not ReportSummary.objects.exists()


def test_a_summary_longer_than_a_page_is_refused_and_nothing_changes(client, world):
    client.login(username=world.users["staff_a"].username, password=PASSWORD)
    url = reverse("books:summary", args=[2020, 1, world.section_a.pk])
    response = client.post(url, {"section": "あ" * 2001})
    assert response.status_code == 200
    assert "2000 文字以下" in response.content.decode() or "2000" in response.content.decode()
    assert not ReportSummary.objects.exists()


def test_the_board_packet_carries_the_summary_sheet(demo, tmp_path):
    from datetime import date

    from openpyxl import load_workbook

    packet = reports.board_packet(
        Business.objects.all(), year=2020, quarter=2, made_on=date(2020, 10, 20)
    )
    path = tmp_path / "packet.xlsx"
    xlsx.write_board_packet(packet, path)
    assert load_workbook(path).sheetnames[:4] == ["表紙", "概要", "遅れ・未着手", "総括"]


def test_a_long_paragraph_is_cut_after_sentences_into_rows_that_fit_a_page():
    from shakyo.lib.cells import wrapped_lines

    sentence = "理事会は7回の予定に対し第2四半期までに4回開催した（達成率57.1%）。"
    pieces = xlsx._paragraph_rows("法人運営", sentence * 60)
    assert len(pieces) > 1
    assert pieces[0].startswith("法人運営\n理事会は")  # the heading never stands alone
    assert "".join(pieces).replace("法人運営\n", "", 1) == sentence * 60  # nothing lost
    for piece in pieces:
        assert piece.endswith("。")  # cut after a sentence, never inside one
        lines = sum(
            wrapped_lines(line, xlsx.SUMMARY_WIDTH * 1.04 - 0.5) for line in piece.split("\n")
        )
        assert lines <= xlsx.SUMMARY_ROW_LINES + 1
