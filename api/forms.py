from __future__ import annotations

from django import forms

from plans.models import Organization


class TokenIssueForm(forms.Form):
    name = forms.CharField(
        label="用途",
        max_length=100,
        help_text="例: 西東京市 福祉部のシステム連携。一覧で見分けるための名前です。",
    )
    commissioner = forms.ModelChoiceField(
        label="読める範囲",
        queryset=Organization.objects.none(),
        required=False,
        empty_label="自法人のすべての事業（承認済みの実績のみ）",
        help_text="委託元を選ぶと、その委託元から受託した事業だけを読めるキーになります。",
    )

    def __init__(self, *args, commissioners, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["commissioner"]
        field.queryset = commissioners
        field.label_from_instance = lambda org: f"{org.name}から受託した事業のみ"

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("用途を入力してください。")
        return name
