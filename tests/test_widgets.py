"""The fast widget renderer writes exactly what Django's widget templates write."""

from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from shakyo.lib.widgets import FAST_RENDERER

CHOICES = [("", "未選択"), ("1", "実施"), ("0", "未実施")]


class Sample(forms.Form):
    text = forms.CharField(max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    hidden = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
    flag = forms.BooleanField(required=False)
    done = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
    number = forms.IntegerField(widget=forms.NumberInput)


VALUES = [
    {},
    {
        "text": "2,100 <b>\"&'",
        "hidden": "3",
        "note": "5月、11月に開催\n<script>alert(1)</script> & 「随時」",
        "flag": "on",
        "done": "1",
        "number": "7",
    },
    {"text": "", "note": "", "done": "0", "number": ""},
]


@pytest.mark.parametrize("data", VALUES)
@pytest.mark.parametrize("disabled", [False, True])
def test_same_html_as_django_templates(data, disabled):
    def render(renderer):
        form = Sample(data or None, initial={"text": "初期値", "flag": True}, renderer=renderer)
        for field in form.fields.values():
            field.disabled = disabled
            field.widget.attrs["aria-label"] = "行 「実績」"
        parts = [str(form[name]) for name in form.fields]
        parts += [radio.tag() for radio in form["done"]]
        parts += [str(radio) for radio in form["done"]]
        return parts

    fast = render(FAST_RENDERER)
    assert fast == render(DjangoTemplates())
    if data.get("note") and not disabled:  # a disabled field shows its initial value
        assert any("&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in part for part in fast)


def test_other_templates_still_go_through_django():
    form = Sample(renderer=FAST_RENDERER)
    html = str(form)  # the form layout template (div.html) is not one of the fast ones
    assert "<div>" in html and 'name="note"' in html


@pytest.mark.parametrize(
    "value",
    [
        "",
        "form-control form-control-sm",
        "(1)理事会 実績 （回）",
        "a \"quoted\" <b>tag</b> & 'apostrophe'",
        "&amp; already",
        "<",
        7,
        Decimal("2100.50"),
        None,
        mark_safe("<b>safe</b>"),
        gettext_lazy("実施"),
    ],
)
def test_conditional_escape_matches_django(value):
    from django.utils.html import conditional_escape as django_escape

    from shakyo.lib.widgets import conditional_escape

    assert conditional_escape(value) == str(django_escape(value))
