"""The pure parsers of 協働事業一覧: the two real city lists (seeds 000 and 001), tables, profiles.

HAND COUNT OF SEED 000 (西東京市 協働事業の取組み状況一覧（令和2年度）), by line number of the
file (``cat -n``): every line between two page headings that carries a 事業名 is one project,
whatever column the extraction put it in.

    page 1: lines   6–33  → 28 lines (6 災害対策事業 … 33 防犯対策事業)
    page 2: lines  38–68  → 31 lines (38 西東京市防災市民組織補助金交付事業 … 68 布ぞうりを作ろう！)
    page 3: lines  73–98  → 26 lines (73 ふろしき活用講座 … 98 緑町地区会館管理運営)
    page 4: lines 103–110 →  8 lines (103 谷戸地区会館管理運営 … 110 健康応援団)
    total 28 + 31 + 26 + 8 = 93 projects.

By 協働分野 (the heading of each block, blank cells being "same as above"):
    委託 6–32 = 27; 補助・助成 33 and 38–50 = 14 (33 sits under the page break: its 部 group
    continues on line 38, the first line of page 2, which names 補助・助成); 事業協力 51–68 and
    73–81 = 18 + 9 = 27; 実行委員会・協議会 82–83 = 2; 共催 84–90 = 7; 後援 91–94 = 4;
    指定管理者制度 95–98 and 103–109 = 4 + 7 = 11 (95–98 leave 協働分野・部・課 blank just above
    the page break; their merged cells are printed at the top of page 4, line 103: the 地区会館
    are 文化振興課's, not 障害福祉課's); その他 110 = 1.  27+14+27+2+7+4+11+1 = 93.
「交通安全対策事業」 is listed twice (line 50 under 補助・助成, line 75 under 事業協力): two projects.

HAND COUNT OF SEED 001 (小金井市 協働事業一覧): the 番号 column runs 1, 2, … 77 without a gap
or a repeat over the eight pages (the lines in between are continuation lines, which hold
only 分類 / 相手 / 形態, and the repeated column headings), so 77 projects. ○ in
コロナのため中止 on 17 of them: 4, 6, 13, 35, 36, 38, 43, 49, 50, 54, 66, 67, 70, 71, 72, 73, 77.
委託 appears in 形態 for 17 projects: 16 as the first 形態 (7, 8, 12, 21, 25, 26, 39, 43, 55, 58,
59, 63, 67, 74, 75, 76) and once as the second (65). Cancelled and 委託: 43 敬老会 and 67 シニア世代の
ための地域参加講座 — 2 projects.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab.choices import CATEGORY_CHOICES, FORM_CHOICES, PARTNER_CHOICES
from collab.parsing import (
    Choice,
    decode_text,
    parse_budget,
    parse_cancelled,
    parse_choice,
    parse_collaboration_rows,
    parse_collaboration_text,
    parse_start_year,
    parse_survey_answer,
)

SEEDS = Path(__file__).resolve().parent / "data" / "seeds"
NISHITOKYO = SEEDS / "000_130e65980c83cad3.txt"
KOGANEI = SEEDS / "001_069e6f1201844a42.txt"


@pytest.fixture(scope="module")
def nishitokyo():
    return parse_collaboration_text(NISHITOKYO.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def koganei():
    return parse_collaboration_text(KOGANEI.read_text(encoding="utf-8"))


def by_line(result, line):
    [record] = [p for p in result.projects if p.line == line]
    return record


def by_number(result, number):
    [record] = [p for p in result.projects if p.number == number]
    return record


def codes(values):
    return [(v.code, v.text) for v in values]


# --------------------------------------------------------------------------- seed 000


def test_seed_000_is_read_as_the_nishitokyo_list_of_fy2020(nishitokyo):
    assert nishitokyo.format == "nishitokyo"
    assert nishitokyo.fiscal_year == 2020
    assert nishitokyo.errors == []


def test_seed_000_gives_the_93_projects_counted_by_hand(nishitokyo):
    assert len(nishitokyo.projects) == 93
    lines = [p.line for p in nishitokyo.projects]
    assert lines == [*range(6, 34), *range(38, 69), *range(73, 99), *range(103, 111)]


def test_seed_000_counts_by_kyodo_bunya_match_the_hand_count(nishitokyo):
    counts: dict[str, int] = {}
    for project in nishitokyo.projects:
        counts[project.area] = counts.get(project.area, 0) + 1
    assert counts == {
        "commission": 27,
        "subsidy": 14,
        "cooperation": 27,
        "committee": 2,
        "co_hosting": 7,
        "patronage": 4,
        "designated_manager": 11,
        "other": 1,
    }
    # The 協働分野 is also the project's one 形態, so filtering by 形態 works for both cities.
    assert all(codes(p.forms) == [(p.area, "")] for p in nishitokyo.projects)
    assert all(p.categories == [] and p.partners == [] for p in nishitokyo.projects)
    assert not any(p.cancelled for p in nishitokyo.projects)


@pytest.mark.parametrize(
    ("line", "area", "department", "section", "name", "summary_start"),
    [
        # a plain first line
        (6, "commission", "総務部", "危機管理課", "災害対策事業", "緊急医療救護所開設訓練。"),
        # blank 部 and 課: same as above
        (8, "commission", "健康福祉部", "高齢者支援課", "高齢者配食サービス", "高齢者に対して昼食"),
        # shifted one column left: the 事業名 stands in the 課 column
        (
            25,
            "commission",
            "生活文化スポーツ部",
            "文化振興課",
            "西東京市くらしの情報作成業務",
            "西東京市報の原稿から",
        ),
        # shifted left: a 課 in the 部 column keeps the 部 from above
        (
            28,
            "commission",
            "生活文化スポーツ部",
            "協働コミュニティ課",
            "消費生活展委託事業",
            "参加団体による活動の発表",
        ),
        # last line of page 1, part of the 補助・助成 block that page 2 names
        (33, "subsidy", "総務部", "危機管理課", "防犯対策事業", "地域防犯活動団体へ補助金交付。"),
        # the first line of page 2: 協働分野 given, 部 and 課 continue from line 33
        (
            38,
            "subsidy",
            "総務部",
            "危機管理課",
            "西東京市防災市民組織補助金交付事業",
            "防災市民組織へ",
        ),
        # a 部 in the 協働分野 column
        (49, "subsidy", "みどり環境部", "ごみ減量推進課", "集団回収", "古紙・古布等の回収業者"),
        (50, "subsidy", "まちづくり部", "交通課", "交通安全対策事業", "安全で快適な市民生活"),
        (75, "cooperation", "まちづくり部", "交通課", "交通安全対策事業", "西東京市立小学校児童"),
        # shifted one column right: the 課 in the 事業名 column
        (79, "cooperation", "教育部", "教育指導課", "日本語適応指導事業", "小・中学校に在籍する"),
        (80, "cooperation", "教育部", "図書館", "音訳サービス", "広報西東京、議会だより"),
        # shifted two columns left: the 事業名 in the 部 column
        (
            81,
            "cooperation",
            "教育部",
            "図書館",
            "点訳サービス",
            "図書館所蔵資料の点訳。各課発行物の点訳。",
        ),
        # shifted right: the 協働分野 in the 部 column
        (
            82,
            "committee",
            "企画部",
            "企画政策課",
            "I S A S 社会連携協議会",
            "東京大学生体調和農学機構",
        ),
        # a 部 in the 協働分野 column, an empty cell, then the 課 公民館
        (
            83,
            "committee",
            "教育部",
            "公民館",
            "ひばりが丘公民館開館30周年記念事業 第12回ひばりが丘フェスティバル",
            "ひばりが丘公民館を中心に",
        ),
        (
            88,
            "co_hosting",
            "教育部",
            "公民館",
            "イスに座って！やぎさわディスコ（柳沢公民館）",
            "障がいのある人も",
        ),
        # shifted two columns left: 公民館 in the 協働分野 column
        (
            90,
            "co_hosting",
            "教育部",
            "公民館",
            "多文化カフェ 難民とともに生きるロヒンギャの女性のお話から考える（保谷駅前公民館）",
            "互いの文化や背景",
        ),
        (
            94,
            "patronage",
            "健康福祉部",
            "障害福祉課",
            "西東京市障害者総合支援センター運営管理",
            "障害者の自立",
        ),
        # blank 協働分野, 部, 課 and 事業概要 just above a page break: the merged cells of line 103
        (
            96,
            "designated_manager",
            "生活文化スポーツ部",
            "文化振興課",
            "南町地区会館管理運営（指定管理）",
            "施設の管理運営を地域住民が行う",
        ),
        (
            103,
            "designated_manager",
            "生活文化スポーツ部",
            "文化振興課",
            "谷戸地区会館管理運営（指定管理）",
            "施設の管理運営を地域住民が行う",
        ),
        # a blank 事業概要 inside a group is the merged cell above
        (
            107,
            "designated_manager",
            "生活文化スポーツ部",
            "文化振興課",
            "東伏見コミュニティセンター運営（指定管理）",
            "施設の管理運営を地域住民が行う",
        ),
        # 協働分野 then a 課 (the 部 column empty): the 部 from above
        (
            108,
            "designated_manager",
            "生活文化スポーツ部",
            "スポーツ振興課",
            "西東京市スポーツ・運動施設管理運営",
            "市と指定管理者が相互に協力し",
        ),
        (
            110,
            "other",
            "健康福祉部",
            "健康課",
            "健康応援団",
            "市民の健康増進に向けた活動を支援する。",
        ),
    ],
)
def test_seed_000_rows_field_by_field(
    nishitokyo, line, area, department, section, name, summary_start
):
    project = by_line(nishitokyo, line)
    assert (project.area, project.department, project.section, project.name) == (
        area,
        department,
        section,
        name,
    )
    assert project.summary.startswith(summary_start)


def test_seed_000_says_where_it_read_across_a_page_break(nishitokyo):
    assert [(w.line, "確認してください" in w.message) for w in nishitokyo.warnings] == [
        (33, True),
        (95, True),
    ]
    assert "生活文化スポーツ部　文化振興課" in nishitokyo.warnings[1].message


def test_seed_000_keeps_the_summary_of_a_project_that_has_its_own(nishitokyo):
    assert by_line(nishitokyo, 95).summary.startswith("民間事業者たる受託者の能力を活用しつつ")
    assert by_line(nishitokyo, 109).summary.startswith("指定管理者による西東京いこいの森公園")


# --------------------------------------------------------------------------- seed 001


def test_seed_001_is_read_as_the_koganei_list(koganei):
    assert koganei.format == "koganei"
    assert koganei.errors == []


def test_seed_001_gives_the_77_numbered_projects(koganei):
    assert [p.number for p in koganei.projects] == list(range(1, 78))


def test_seed_001_cancelled_projects_are_the_17_marked_with_a_circle(koganei):
    cancelled = [p.number for p in koganei.projects if p.cancelled]
    assert cancelled == [4, 6, 13, 35, 36, 38, 43, 49, 50, 54, 66, 67, 70, 71, 72, 73, 77]


def test_seed_001_commissioned_and_cancelled(koganei):
    commission = [p.number for p in koganei.projects if Choice("commission") in p.forms]
    assert commission == [7, 8, 12, 21, 25, 26, 39, 43, 55, 58, 59, 63, 65, 67, 74, 75, 76]
    both = [p.name for p in koganei.projects if p.cancelled and Choice("commission") in p.forms]
    assert both == ["敬老会", "シニア世代のための地域参加講座"]


def test_seed_001_project_1_has_three_categories_from_continuation_lines(koganei):
    project = by_number(koganei, 1)
    assert project.line == 18
    assert project.section == "企画政策課"
    assert project.department == ""
    assert project.name == "男女共同参画情報誌「かたらい」作成"
    assert project.summary.startswith("小金井市男女共同参画情報誌「かたらい」の誌面を作成するため")
    assert project.cancelled is False
    assert codes(project.categories) == [
        ("gender_equality", ""),
        ("human_rights", ""),
        ("social_education", ""),
    ]
    assert codes(project.partners) == [("other", "編集委員会")]
    assert codes(project.forms) == [("committee", "")]
    assert project.area == "committee"


def test_seed_001_project_4_is_cancelled_with_a_free_text_partner(koganei):
    project = by_number(koganei, 4)
    assert project.section == "地域安全課"
    assert project.name == "全国地域安全運動市民のつどい"
    assert project.cancelled is True
    assert codes(project.categories) == [("safety", "")]
    assert codes(project.partners) == [("other", "防犯協会")]
    assert codes(project.forms) == [("co_hosting", "")]


def test_seed_001_project_6_continuation_lines_with_dashes(koganei):
    project = by_number(koganei, 6)
    assert project.name == "消費生活展（なかよし市民まつり消費者部門）"
    assert project.cancelled is True
    assert codes(project.categories) == [("consumer", ""), ("community", ""), ("environment", "")]
    assert codes(project.partners) == [("civic_group", ""), ("commerce", ""), ("cooperative", "")]
    assert codes(project.forms) == [("committee", "")]  # 「－」 twice: none


def test_seed_001_project_9_two_sections_and_two_forms(koganei):
    project = by_number(koganei, 9)
    assert project.section == "経済課 農業委員会事務局"
    assert project.name == "こがねい産業祭り"
    assert codes(project.forms) == [("committee", ""), ("subsidy", "")]
    assert codes(project.partners) == [
        ("commerce", ""),
        ("incorporated_association", ""),
        ("cooperative", ""),
    ]


def test_seed_001_project_14_second_form_under_a_dash_category(koganei):
    project = by_number(koganei, 14)
    assert codes(project.categories) == [("culture", "")]
    assert codes(project.partners) == [("other", "実行委員会")]
    assert codes(project.forms) == [("subsidy", ""), ("patronage", "")]
    assert project.area == "subsidy"


def test_seed_001_project_59_values_shifted_into_the_next_column_are_put_back(koganei):
    project = by_number(koganei, 59)
    assert project.name == "スポーツ大会・各種教室事業"
    assert codes(project.categories) == [("social_education", ""), ("culture", "")]
    assert codes(project.partners) == [("foundation", ""), ("npo", "")]
    assert codes(project.forms) == [("commission", "")]
    messages = [w.message for w in koganei.warnings if w.line == 169]
    assert messages == [
        "番号59: 相手欄の「学術、文化、芸術、スポーツ」を分類として読みました",
        "番号59: 形態欄の「NPO法人」を相手として読みました",
    ]


def test_seed_001_project_77_free_text_category(koganei):
    project = by_number(koganei, 77)
    assert project.section == "選挙管理委員会事務局"
    assert project.cancelled is True
    assert codes(project.categories) == [("other", "選挙啓発を図る事業")]
    assert codes(project.partners) == [("volunteer_group", "")]
    assert codes(project.forms) == [("committee", "")]


def test_seed_001_form_counts(koganei):
    counts: dict[str, int] = {}
    for project in koganei.projects:
        for value in project.forms:
            counts[value.code] = counts.get(value.code, 0) + 1
    assert counts["commission"] == 17
    assert counts["designated_manager"] == 8  # 5, 16, 32, 44, 46, 56, 57, 66
    assert counts["adopt"] == 3  # 19, 20, 22
    assert counts["patronage"] == 1  # 14 (second 形態)


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("category", "保健、医療", Choice("health")),
        ("category", "保健,医療", Choice("health")),
        ("category", "その他（市の魅力向上）", Choice("other", "市の魅力向上")),
        ("category", "その他(自由記載)", Choice("other")),
        ("partner", "ＮＰＯ法人", Choice("npo")),
        ("partner", "企業（社会貢献部門）", Choice("company")),
        ("form", "補助(助成)", Choice("subsidy")),
        ("form", "補助・助成", Choice("subsidy")),
        ("form", "指定管理者制度", Choice("designated_manager")),
        ("form", "－", None),
        ("form", "—", None),
        ("form", "", None),
        ("partner", "－（なし）", None),
    ],
)
def test_parse_choice(kind, text, expected):
    assert parse_choice(kind, text) == expected


def test_parse_choice_refuses_a_value_not_in_the_list():
    with pytest.raises(ValueError, match="分類「環境」は選択肢にありません"):
        parse_choice("category", "環境")


def test_every_legend_label_reads_as_its_own_code():
    for kind, choices in (
        ("category", CATEGORY_CHOICES),
        ("partner", PARTNER_CHOICES),
        ("form", FORM_CHOICES),
    ):
        for code, label in choices:
            assert parse_choice(kind, label) == Choice(code)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("○", True), ("〇", True), ("中止", True), ("1", True), ("", False), ("×", False)],
)
def test_parse_cancelled(text, expected):
    assert parse_cancelled(text) is expected


def test_parse_cancelled_refuses_anything_else():
    with pytest.raises(ValueError, match="中止欄の「未定」は読めません"):
        parse_cancelled("未定")


# --------------------------------------------------------------------------- profile


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("①平成１２", 2000),
        ("昭和48", 1973),
        ("①昭和４８", 1973),
        ("平成21", 2009),
        ("①前身の女性フォーラムは昭和６２", 1987),
        ("令和元年", 2019),
        ("2009", 2009),
        ("②不明", None),
        ("", None),
    ],
)
def test_parse_start_year(text, expected):
    assert parse_start_year(text) == expected


def test_parse_start_year_refuses_what_is_not_a_year():
    with pytest.raises(ValueError, match="始期「むかし」を年として読めません"):
        parse_start_year("むかし")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("①１，１８０千円", 1180),
        ("①７,４１５千円", 7415),
        ("1180", 1180),
        ("②無し", 0),
        ("②不明", None),
        ("①未定", None),
        ("", None),
    ],
)
def test_parse_budget(text, expected):
    assert parse_budget(text) == expected


def test_parse_budget_refuses_what_is_not_an_amount():
    with pytest.raises(ValueError, match="予算「①３０千万」を千円単位の金額として読めません"):
        parse_budget("①３０千万")


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("survey_type", "②市・民", 2),
        ("survey_type", "市主体", 1),
        ("survey_type", "3", 3),
        ("involvement", "①企画～", 1),
        ("involvement", "②实施～", 2),  # the seed's 实 for 実
        ("agreement", "⑦必要無し", 7),
        ("liaison", "①常に図る", 1),
        ("evaluation", "①改善に\n生かす", 1),
        ("report", "①義務", 1),
        ("outcome", "②一定", 2),
        ("reasons", "④ノウハウ\n⑥すそ野拡大\n⑦市民の主\n体性", [4, 6, 7]),
        ("reasons", "ノウハウ、従来から", [4, 10]),
        ("issues", "⑫特に無し", [12]),
        ("issues", "①意思疎通△ ⑥質向上", [1, 6]),
        ("issues", "", []),
        ("outcome", "", None),
    ],
)
def test_parse_survey_answer(question, text, expected):
    assert parse_survey_answer(question, text) == expected


def test_parse_survey_answer_refuses_an_unknown_code_and_two_single_answers():
    with pytest.raises(ValueError, match="類型「⑨」は選択肢にありません"):
        parse_survey_answer("survey_type", "⑨")
    with pytest.raises(ValueError, match="関わりは一つだけ選んでください"):
        parse_survey_answer("involvement", "①企画～ ②实施～")


# --------------------------------------------------------------------------- tables

HEADER = [
    "協働分野",
    "部",
    "課",
    "事業名",
    "事業概要",
    "分類1",
    "分類2",
    "分類3",
    "相手1",
    "相手2",
    "相手3",
    "形態1",
    "形態2",
    "形態3",
    "中止",
]


def row(*cells):
    return list(cells) + [""] * (len(HEADER) - len(cells))


def test_table_reads_every_column_and_fills_merged_cells_down():
    rows = [
        ["令和2年度 協働事業一覧"],  # a title above the heading row is skipped
        HEADER,
        row(
            "委託",
            "健康福祉部",
            "高齢者支援課",
            "見守り",
            "メールで見守る",
            "福祉",
            "",
            "",
            "NPO法人",
            "その他（地域の団体）",
            "",
            "委託",
            "事業協力",
            "",
            "○",
        ),
        row("", "", "", "配食", "昼食を届ける", "福祉", "保健、医療"),
        row("", "", "障害福祉課", "手話講習会"),
        row("共催", "教育部", "", "まつり", "", "地域交流"),
    ]
    result = parse_collaboration_rows(rows)
    assert result.errors == []
    assert result.format == "table"
    first, second, third, fourth = result.projects
    assert (first.line, first.area, first.department, first.section, first.name) == (
        3,
        "commission",
        "健康福祉部",
        "高齢者支援課",
        "見守り",
    )
    assert codes(first.partners) == [("npo", ""), ("other", "地域の団体")]
    assert codes(first.forms) == [("commission", ""), ("cooperation", "")]
    assert first.cancelled is True
    assert (second.area, second.department, second.section) == (
        "commission",
        "健康福祉部",
        "高齢者支援課",
    )
    assert codes(second.categories) == [("welfare", ""), ("health", "")]
    assert codes(second.forms) == [("commission", "")]  # the 協働分野 stands for the 形態
    assert second.cancelled is False
    assert (third.department, third.section) == ("健康福祉部", "障害福祉課")
    # a new 部 starts without a 課
    assert (fourth.area, fourth.department, fourth.section) == ("co_hosting", "教育部", "")


def test_table_accepts_heading_variants_and_continuation_rows():
    rows = [
        [
            "番号",
            "課",
            "コロナのため中止",
            "1 協働事業名",
            "2 事業内容",
            "3 分類",
            "4 相手",
            "5 形態",
        ],
        [
            "1",
            "企画政策課",
            "",
            "かたらい",
            "誌面の作成",
            "男女共同参画",
            "その他（編集委員会）",
            "実行委員会・協議会",
        ],
        ["", "", "", "", "", "人権擁護、平和", "", "－"],
        ["2", "健康課", "○", "ブックスタート", "絵本を配布", "福祉", "ボランティア団体", "共催"],
    ]
    result = parse_collaboration_rows(rows)
    assert result.errors == []
    first, second = result.projects
    assert first.number == 1
    assert first.area == "committee"  # no 協働分野 column: the first 形態
    assert codes(first.categories) == [("gender_equality", ""), ("human_rights", "")]
    assert second.cancelled is True


def test_table_heading_numbers_may_be_written_many_ways():
    rows = [
        ["事業名", "分類①", "分類(2)", "分類３", "相手", "形態"],
        ["見守り", "福祉", "保健、医療", "まちづくり", "NPO法人／町会・自治会", "委託"],
    ]
    result = parse_collaboration_rows(rows)
    assert result.errors == []
    [project] = result.projects
    assert codes(project.categories) == [("welfare", ""), ("health", ""), ("town_planning", "")]
    assert codes(project.partners) == [("npo", ""), ("neighbourhood", "")]


def test_table_collects_an_error_for_every_bad_row_with_its_row_number():
    rows = [
        HEADER,
        row("委託", "総務部", "危機管理課", "良い行", "", "福祉"),
        row("", "", "", "", "概要だけ"),
        row("", "", "", "分類が違う", "", "環境"),
        row("", "", "", "中止が違う", "", "", "", "", "", "", "", "", "", "", "たぶん"),
        row("お願い", "", "", "分野が違う"),
        row("", "", "", "多すぎる", "", "", "", "", "", "", "", "委託", "共催", "後援"),
    ]
    result = parse_collaboration_rows(rows)
    assert [str(e) for e in result.errors] == [
        "3行目: 事業名が空欄です",
        "4行目: 分類「環境」は選択肢にありません",
        "5行目: 中止欄の「たぶん」は読めません（中止なら「○」、そうでなければ空欄）",
        "6行目: 協働分野「お願い」は形態の選択肢にありません",
    ]
    assert not result.ok


def test_table_refuses_more_than_three_values():
    rows = [
        ["事業名", "形態"],
        ["見守り", "委託／共催／後援／事業協力"],
    ]
    result = parse_collaboration_rows(rows)
    assert [str(e) for e in result.errors] == [
        "2行目: 「見守り」の形態が3つを超えています（事業協力）。最大3つまでです"
    ]


def test_table_without_a_name_column_is_refused():
    result = parse_collaboration_rows([["部", "課"], ["総務部", "総務課"]])
    assert [str(e) for e in result.errors] == ["見出し行（「事業名」の列を含む行）が見つかりません"]


def test_table_reads_the_survey_profile_columns():
    rows = [
        [
            "事業名",
            "始期",
            "市の予算",
            "全体予算",
            "類型",
            "理由",
            "関わり",
            "決め方",
            "把握",
            "評価",
            "報告書",
            "成果",
            "課題",
        ],
        [
            "かたらい",
            "平成12",
            "1,180",
            "1180",
            "②市・民",
            "④ノウハウ ⑥すそ野拡大",
            "①企画～",
            "④要綱",
            "①常に図る",
            "①改善に生かす",
            "②無し",
            "②一定",
            "⑨内容ー予算制約",
        ],
        ["声の広報", "昭和52", "無し", "不明", "1", "", "", "", "", "", "", "", ""],
        ["悪い行", "むかし", "たくさん", "", "⑨", "", "", "", "", "", "", "", ""],
    ]
    result = parse_collaboration_rows(rows)
    first, second = result.projects
    profile = first.profile
    assert (profile.start_year, profile.city_budget, profile.total_budget) == (2000, 1180, 1180)
    assert (profile.survey_type, profile.reasons, profile.involvement) == (2, [4, 6], 1)
    assert (profile.agreement, profile.liaison, profile.evaluation) == (4, 1, 1)
    assert (profile.report, profile.outcome, profile.issues) == (2, 2, [9])
    assert (second.profile.city_budget, second.profile.total_budget) == (0, None)
    assert second.profile.start_year == 1977
    assert [str(e) for e in result.errors] == [
        "4行目: 始期「むかし」を年として読めません（例：昭和48、平成21、2009）",
        "4行目: 予算「たくさん」を千円単位の金額として読めません（例：1,180千円、無し、不明）",
        "4行目: 類型「⑨」は選択肢にありません",
    ]


def test_a_table_without_profile_columns_has_no_profile():
    result = parse_collaboration_rows([["事業名"], ["見守り"]])
    assert result.projects[0].profile is None


# --------------------------------------------------------------------------- text entry point


def test_csv_text_is_read_as_a_table():
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["協働分野", "課", "事業名", "事業概要", "分類1"])
    writer.writerow(["委託", "高齢者支援課", "見守り", "メールで\n見守る", "福祉"])
    result = parse_collaboration_text(buffer.getvalue())
    assert result.format == "table"
    [project] = result.projects
    assert project.summary == "メールで\n見守る"
    assert project.area == "commission"


def test_csv_exported_from_excel_in_shift_jis_is_decoded():
    data = "事業名,形態\n見守り,委託\n".encode("cp932")
    text = decode_text(data)
    assert parse_collaboration_text(text).projects[0].forms == [Choice("commission")]
    assert decode_text("事業名\n".encode("utf-8-sig")) == "事業名\n"


def test_unknown_text_is_refused_with_a_message():
    result = parse_collaboration_text("こんにちは\nただの文章です")
    assert result.projects == []
    assert "形式を認識できません" in str(result.errors[0])


def test_koganei_errors_are_collected_per_line():
    text = "\n".join(
        [
            "番号\t課\tコロナのため中止\t1 協働事業名\t2 事業内容\t3 分類\t4 相手\t5 形態",
            "\t\t\t\t\t福祉\t\t",
            "1\t健康課\t\t献血\t献血の推進\t福祉\tボランティア団体\t共催",
            "1\t健康課\t済\t献血2\t\t福祉\t\t",
            "2\t健康課\t\t食育\t\t環境\t\t共催",
            "\t\t\t\t\t地域交流\t\t委託",
            "\t\t\t\t\t社会教育\t\t後援",
            "\t\t\t\t\t—\t\t事業協力",
            "これは表の行ではない",
        ]
    )
    result = parse_collaboration_text(text)
    assert [str(e) for e in result.errors] == [
        "2行目: 分類・相手・形態の続きの行ですが、その前に番号の行がありません",
        "4行目: 番号1が重複しています（3行目にもあります）",
        "4行目: 番号1: 中止欄の「済」は読めません（中止なら「○」、そうでなければ空欄）",
        "5行目: 番号2: 分類「環境」は選択肢にありません",
        "8行目: 「食育」の形態が3つを超えています（事業協力）。最大3つまでです",
        "9行目: 行の形式を読み取れません（番号の行でも、分類・相手・形態の続きの行でもありません）",
    ]


def test_nishitokyo_list_must_start_with_a_kyodo_bunya():
    text = "協働分野\t部\t課\t事業名\t事業概要\n\t総務部\t総務課\t何か\t概要\n"
    result = parse_collaboration_text(text)
    assert [str(e) for e in result.errors] == [
        "2行目: 「何か」の協働分野が分かりません（上の行にもありません）"
    ]


def test_nishitokyo_line_with_cells_beyond_the_summary_is_refused():
    text = "協働分野\t部\t課\t事業名\t事業概要\n委託\t総務部\t総務課\t何か\t概要\t余分\n"
    result = parse_collaboration_text(text)
    assert [str(e) for e in result.errors] == [
        "2行目: 事業名・事業概要のほかに読めない欄があります（「余分」）"
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("\t\n委託部課○－—番号事業名協働分野分類相手形態1２ab")))
)
def test_parsing_text_never_raises(text):
    result = parse_collaboration_text(text)
    assert isinstance(result.errors, list)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.integers(),
                st.floats(allow_nan=False),
                st.sampled_from(["事業名", "形態", "委託", "分類1", "○", "", "始期", "むかし"]),
            ),
            max_size=6,
        ),
        max_size=6,
    )
)
def test_parsing_rows_never_raises(rows):
    result = parse_collaboration_rows(rows)
    assert isinstance(result.errors, list)
