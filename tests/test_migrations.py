"""The migrations describe the models: a field added without its migration fails here,
not on a council's server when `migrate` finds nothing to do."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as missing:  # --check exits 1 when a migration is missing
        pytest.fail(f"makemigrations would write a migration ({missing.code}):\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
