"""The allowed values of a collaboration project (協働事業), as ordered (code, label) tuples.

The 分類 / 相手 / 形態 lists are the legend of 小金井市 協働事業一覧 (seed 001), in its order;
"その他（自由記載）" is the code ``other`` plus the free text written in the brackets, and
"－（なし）" is no value at all. The coded answers of the 小金井市 A調査票 (seed 003, 平成22年)
keep the survey's numbering (①, ②, …) as integer codes: the seed prints each answer as its
circled number and an abbreviation (「②市・民」「①企画～」), and the questionnaire itself is not
in the seed, so the labels are those abbreviations written out, not the questionnaire's wording,
and only the numbers that occur in the seed are listed (the gaps, such as 課題 ⑤ and ⑧, are
answers nobody gave and whose wording is unknown).

Pure Python: no Django imports, so the parser, the models, the forms and the books share it.
"""

from __future__ import annotations

import unicodedata

OTHER = "other"

# 3 分類 — the field of the project (主なものから順に最大3つ).
CATEGORY_CHOICES: tuple[tuple[str, str], ...] = (
    ("health", "保健、医療"),
    ("welfare", "福祉"),
    ("children", "子育て、子どもの健全育成"),
    ("social_education", "社会教育"),
    ("town_planning", "まちづくり"),
    ("community", "地域交流"),
    ("culture", "学術、文化、芸術、スポーツ"),
    ("environment", "環境保全"),
    ("disaster_relief", "災害救援"),
    ("safety", "地域安全"),
    ("human_rights", "人権擁護、平和"),
    ("international", "国際交流、国際協力"),
    ("gender_equality", "男女共同参画"),
    ("information", "情報化、科学技術"),
    ("economy", "経済活動活性化"),
    ("employment", "職業能力開発、雇用機会拡充"),
    ("consumer", "消費者保護"),
    (OTHER, "その他"),
)

# 4 相手 — the partner (主なものから順に最大3つ).
PARTNER_CHOICES: tuple[tuple[str, str], ...] = (
    ("npo", "NPO法人"),
    ("civic_group", "市民活動団体"),
    ("volunteer_group", "ボランティア団体"),
    ("neighbourhood", "町会・自治会"),
    ("cooperative", "協同組合"),
    ("commerce", "商工会・商店会"),
    ("incorporated_association", "社団法人"),
    ("foundation", "財団法人"),
    ("social_welfare_corporation", "社会福祉法人"),
    ("medical_corporation", "医療法人"),
    ("school", "学校、教育・研究機関"),
    ("company", "企業（社会貢献部門）"),
    (OTHER, "その他"),
)

# 5 形態 — the form of the collaboration (主なものから順に最大3つ); also the 協働分野
# under which 西東京市 (seed 000) groups its list.
FORM_CHOICES: tuple[tuple[str, str], ...] = (
    ("patronage", "後援"),
    ("subsidy", "補助（助成）"),
    ("co_hosting", "共催"),
    ("committee", "実行委員会・協議会"),
    ("commission", "委託"),
    ("designated_manager", "指定管理"),
    ("cooperation", "事業協力"),
    ("adopt", "アダプトプログラム"),
    (OTHER, "その他"),
)

# Other spellings met in the seeds and in hand-made sheets, matched after ``normalize_key``.
FORM_ALIASES: dict[str, str] = {
    "補助・助成": "subsidy",
    "補助": "subsidy",
    "助成": "subsidy",
    "補助金": "subsidy",
    "指定管理者制度": "designated_manager",
    "指定管理者": "designated_manager",
    "実行委員会": "committee",
    "協議会": "committee",
    "アダプト": "adopt",
    "アダプト・プログラム": "adopt",
}
PARTNER_ALIASES: dict[str, str] = {
    "NPO": "npo",
    "特定非営利活動法人": "npo",
    "企業": "company",
    "学校": "school",
    "町会": "neighbourhood",
    "自治会": "neighbourhood",
    "町内会": "neighbourhood",
}
CATEGORY_ALIASES: dict[str, str] = {
    "保健・医療": "health",
    "子育て・子どもの健全育成": "children",
    "学術・文化・芸術・スポーツ": "culture",
}

# A調査票 5 類型 — who leads the project.
SURVEY_TYPE_CHOICES: tuple[tuple[int, str], ...] = (
    (1, "市主体"),
    (2, "市・市民の共同"),
    (3, "民間主体"),
)

# A調査票 9 理由 — why the project is run in collaboration (several may apply).
SURVEY_REASON_CHOICES: tuple[tuple[int, str], ...] = (
    (1, "より多くの市民に届ける"),
    (2, "内容の充実"),
    (3, "市だけではできない"),
    (4, "相手のノウハウの活用"),
    (5, "方向性の一致"),
    (6, "すそ野の拡大"),
    (7, "市民の主体性"),
    (8, "事業の効率化"),
    (9, "経費節減"),
    (10, "従来から"),
)

# A調査票 10 関わり — from which stage the partner takes part.
SURVEY_INVOLVEMENT_CHOICES: tuple[tuple[int, str], ...] = (
    (1, "企画段階から"),
    (2, "実施段階から"),
    (3, "趣旨に賛同して参加"),
)

# A調査票 11 決め方 — how the roles are agreed.
SURVEY_AGREEMENT_CHOICES: tuple[tuple[int, str], ...] = (
    (1, "文書で取り決め"),
    (2, "話し合いで合意"),
    (3, "定期的に協議"),
    (4, "要綱で規定"),
    (7, "取り決めの必要無し"),
)

# A調査票 12 把握 — how the city keeps in touch with the partner's view.
SURVEY_LIAISON_CHOICES: tuple[tuple[int, str], ...] = (
    (1, "常に意思疎通を図る"),
    (2, "事業の遂行中に把握"),
    (3, "適切に把握"),
    (4, "把握が不十分"),
    (5, "把握の必要無し"),
)

# A調査票 13 評価 — what the evaluation is used for.
SURVEY_EVALUATION_CHOICES: tuple[tuple[int, str], ...] = (
    (1, "改善に生かす"),
    (2, "実施で終わり"),
    (3, "評価の必要無し"),
    (4, "評価が不十分"),
)

# A調査票 14 報告書 — whether the partner reports in writing.
SURVEY_REPORT_CHOICES: tuple[tuple[int, str], ...] = (
    (1, "報告書の提出を義務付け"),
    (2, "報告書無し"),
    (3, "その他"),
)

# A調査票 15 成果 — how the results are judged.
SURVEY_OUTCOME_CHOICES: tuple[tuple[int, str], ...] = (
    (1, "成果を上げている"),
    (2, "一定の成果"),
    (3, "改善の余地あり"),
    (4, "成果が不十分"),
)

# A調査票 16 課題 — what is difficult (several may apply).
SURVEY_ISSUE_CHOICES: tuple[tuple[int, str], ...] = (
    (1, "意思疎通が不十分"),
    (2, "役割分担があいまい"),
    (3, "責任の所在が不明確"),
    (4, "対応が迅速でない"),
    (6, "質の向上"),
    (7, "成果に確信が持てない"),
    (9, "内容が予算に制約される"),
    (10, "成果が予算に制約される"),
    (11, "継続の見通し"),
    (12, "特に無し"),
    (13, "その他"),
)

# The coded answers of a profile: attribute name → (heading, choices, several allowed).
SURVEY_QUESTIONS: dict[str, tuple[str, tuple[tuple[int, str], ...], bool]] = {
    "survey_type": ("類型", SURVEY_TYPE_CHOICES, False),
    "reasons": ("理由", SURVEY_REASON_CHOICES, True),
    "involvement": ("関わり", SURVEY_INVOLVEMENT_CHOICES, False),
    "agreement": ("決め方", SURVEY_AGREEMENT_CHOICES, False),
    "liaison": ("把握", SURVEY_LIAISON_CHOICES, False),
    "evaluation": ("評価", SURVEY_EVALUATION_CHOICES, False),
    "report": ("報告書", SURVEY_REPORT_CHOICES, False),
    "outcome": ("成果", SURVEY_OUTCOME_CHOICES, False),
    "issues": ("課題", SURVEY_ISSUE_CHOICES, True),
}

# The abbreviations printed in seed 003, read after ``normalize_key`` (实→実, 尐→少).
SURVEY_ABBREVIATIONS: dict[str, dict[str, int]] = {
    "survey_type": {"市主体": 1, "市・民": 2, "民間": 3},
    "reasons": {
        "より多く": 1,
        "内容充実": 2,
        "市だけ×": 3,
        "ノウハウ": 4,
        "方向性一": 5,
        "方向性一致": 5,
        "すそ野拡大": 6,
        "すその拡大": 6,
        "市民主体性": 7,
        "市民の主体性": 7,
        "効率化": 8,
        "事業効率": 8,
        "経費節減": 9,
        "経費削減": 9,
        "従来から": 10,
        "従来": 10,
    },
    "involvement": {"企画～": 1, "企画": 1, "実施～": 2, "実施": 2, "賛同": 3},
    "agreement": {"文書": 1, "合意": 2, "定期的": 3, "要綱": 4, "必要無し": 7},
    "liaison": {"常に図る": 1, "遂行中": 2, "遂行中に": 2, "適切": 3, "不十分": 4, "必要無": 5},
    "evaluation": {"改善に生かす": 1, "改善に": 1, "改善": 1, "実施で": 2, "必要無": 3},
    "report": {"義務": 1, "無し": 2},
    "outcome": {"成果": 1, "一定": 2, "改善": 3, "不十分": 4},
    "issues": {
        "意思疎通△": 1,
        "分担あいまい": 2,
        "責任不明確": 3,
        "責任不明": 3,
        "迅速でない": 4,
        "質向上": 6,
        "確信持てない": 7,
        "内容ー予算制約": 9,
        "内容-予算制約": 9,
        "成果ー予算制約": 10,
        "成果-予算制約": 10,
        "継続見通し": 11,
        "特に無し": 12,
        "特になし": 12,
    },
}

# Characters of seed 003's text extraction that stand for the usual ones.
_OLD_CHARACTERS = str.maketrans({"实": "実", "尐": "少"})


def normalize_key(text: str) -> str:
    """The form a written value is compared in: NFKC, no spaces, 实→実, 尐→少, 、 for commas.

    「補助（助成）」 and 「補助(助成)」, 「ＮＰＯ法人」 and 「NPO法人」 compare equal.
    """
    text = unicodedata.normalize("NFKC", text).translate(_OLD_CHARACTERS)
    text = text.replace(",", "、").replace("･", "・")
    return "".join(text.split())


def label_of(choices: tuple[tuple[str, str], ...], code: str) -> str:
    """The label of ``code`` in ``choices``; the code itself when it is not there."""
    return dict(choices).get(code, code)


def _lookup(choices: tuple[tuple[str, str], ...], aliases: dict[str, str]) -> dict[str, str]:
    table = {normalize_key(label): code for code, label in choices}
    table.update({normalize_key(alias): code for alias, code in aliases.items()})
    table[normalize_key("その他（自由記載）")] = OTHER
    return table


CATEGORY_LOOKUP: dict[str, str] = _lookup(CATEGORY_CHOICES, CATEGORY_ALIASES)
PARTNER_LOOKUP: dict[str, str] = _lookup(PARTNER_CHOICES, PARTNER_ALIASES)
FORM_LOOKUP: dict[str, str] = _lookup(FORM_CHOICES, FORM_ALIASES)
