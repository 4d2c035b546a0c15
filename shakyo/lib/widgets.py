"""A form renderer that writes the plain input widgets in Python instead of templates.

The 実績 entry page shows several hundred inputs (a 係 of 60 rows has ~340); rendering
each through Django's widget templates (``input.html`` → ``attrs.html`` …) was more than
half of the page's time (bench/). :class:`FastWidgetRenderer` produces the same HTML as
those templates for ``<input>`` (text, hidden, checkbox, radio option) and ``<textarea>``
and hands every other template to Django. ``tests/test_widgets.py`` compares both
outputs widget by widget.

A form opts in with ``default_renderer = FAST_RENDERER``.
"""

from __future__ import annotations

from html import escape

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe


def conditional_escape(value) -> str:
    """``django.utils.html.conditional_escape`` without its lazy-string wrapper (hot).

    Plain text is returned as it is when it has nothing to escape (most attribute values
    and labels): five substring tests cost less than the five replacements.
    """
    if type(value) is str:
        if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
            return escape(value)
        return value
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape(str(value))


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    # django/forms/widgets/input.html
    value = widget["value"]
    value_attr = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value_attr}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: dict) -> str:
    # django/forms/widgets/textarea.html
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _input_option(widget: dict) -> str:
    # django/forms/widgets/input_option.html
    if not widget.get("wrap_label"):
        return _input(widget)
    label_for = widget["attrs"].get("id")
    opening = f'<label for="{conditional_escape(label_for)}">' if label_for else "<label>"
    # The included input.html ends with a newline, kept inside the label.
    return f"{opening}{_input(widget)}\n {conditional_escape(widget['label'])}</label>"


_WRITERS = {
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/text.html": _input,
    "django/forms/widgets/hidden.html": _input,
    "django/forms/widgets/number.html": _input,
    "django/forms/widgets/checkbox.html": _input,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/input_option.html": _input_option,
    "django/forms/widgets/radio_option.html": _input_option,
    "django/forms/widgets/checkbox_option.html": _input_option,
}


class FastWidgetRenderer(DjangoTemplates):
    """Django's default renderer, with the simple input widgets written directly."""

    def render(self, template_name, context, request=None):
        writer = _WRITERS.get(template_name)
        if writer is None or "widget" not in context:
            return super().render(template_name, context, request=request)
        return mark_safe(writer(context["widget"]).strip())


FAST_RENDERER = FastWidgetRenderer()
