"""Forms of the 帳票 page: each turns the request into a year, quarter, 係 or file."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings

from .models import SUMMARY_MAX_LENGTH

QUARTERS = [(q, f"第{q}四半期") for q in (1, 2, 3, 4)]


class ExportForm(forms.Form):
    """事業計画 / 事業報告 / 市への報告 / 実績入力用ブック / 理事会資料: which year and quarter,
    for whom, as Excel or PDF."""

    year = forms.IntegerField(label="年度", min_value=1989, max_value=2200)
    quarter = forms.TypedChoiceField(
        label="四半期（この四半期までの実績）",
        choices=QUARTERS,
        coerce=int,
        required=False,
        empty_value=None,
    )
    section = forms.IntegerField(label="係", required=False)
    commissioner = forms.IntegerField(label="委託元", required=False)
    include_unapproved = forms.BooleanField(
        label="入力中を含む（内部確認用）",
        required=False,
        help_text="承認前の実績も含めて集計し、その数値に ※ を付けます。"
        "理事会・市に渡すブックには使わないでください。",
    )
    file_format = forms.ChoiceField(
        label="形式", choices=[("xlsx", "Excel"), ("pdf", "PDF")], required=False
    )

    def clean_file_format(self) -> str:
        return self.cleaned_data.get("file_format") or "xlsx"

    def __init__(self, *args, needs_quarter: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].required = needs_quarter


class UploadForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=1989, max_value=2200)
    quarter = forms.TypedChoiceField(
        label="四半期", choices=QUARTERS, coerce=int, required=False, empty_value=None
    )
    file = forms.FileField(label="Excel ブック（.xlsx）")
    confirm_figures = forms.BooleanField(
        label="この数で正しい（目標や予定より極端に大きい数を確認しました）", required=False
    )

    def __init__(self, *args, needs_quarter: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].required = needs_quarter

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() != ".xlsx":
            raise forms.ValidationError(
                "Excel ブック（.xlsx）を選んでください（.xls・.xlsm・.csv は受け付けません）。"
            )
        if upload.size > settings.UPLOAD_MAX_BYTES:
            limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"ファイルが大きすぎます。{limit} MB 以下にしてください。")
        return upload


class SummaryForm(forms.Form):
    """One text box per 総括 paragraph: the 係's own, then one per 事業."""

    def __init__(self, *args, summary, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys: dict[str, int | None] = {}
        for key, written in [(None, summary.overall), *summary.businesses]:
            name = "section" if key is None else f"business_{key}"
            self.keys[name] = key
            self.fields[name] = forms.CharField(
                label=written.title,
                required=False,
                max_length=SUMMARY_MAX_LENGTH,
                initial=written.text,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text="空にして保存すると、実績から作った下書きに戻ります。",
            )

    def texts(self) -> dict[int | None, str]:
        """The texts by business pk (None: the 係's paragraph); blank means the draft."""
        return {self.keys[name]: value.strip() for name, value in self.cleaned_data.items()}
