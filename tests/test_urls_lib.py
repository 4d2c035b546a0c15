"""reverse_pk gives what reverse gives."""

import pytest
from django.urls import reverse, set_script_prefix

from shakyo.lib.urls import reverse_pk


@pytest.mark.parametrize(
    ("name", "args", "pk"),
    [
        ("plans:item_edit", (), 7),
        ("results:item_history", (), 123456),
        ("results:row_status", (2020, 3), 42),
        ("results:business_rows", (2021, 1), 1),
    ],
)
def test_same_as_reverse(name, args, pk):
    assert reverse_pk(name, *args, pk=pk) == reverse(name, args=[*args, pk])


def test_script_prefix_is_followed():
    try:
        set_script_prefix("/shakyo/")
        assert reverse_pk("plans:item_edit", pk=3) == reverse("plans:item_edit", args=[3])
        assert reverse_pk("plans:item_edit", pk=3).startswith("/shakyo/")
    finally:
        set_script_prefix("/")
    assert not reverse_pk("plans:item_edit", pk=3).startswith("/shakyo/")
