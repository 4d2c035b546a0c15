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


OUR_APPS = ("plans", "results", "books", "collab")


def _indexes(table: str) -> list[list[str]]:
    """The columns of every index on ``table`` (unique constraints included), in order."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Django's SQLite introspection cannot read every table's SQL here; the
            # PRAGMAs list the indexes directly.
            cursor.execute(f'PRAGMA index_list("{table}")')
            names = [row[1] for row in cursor.fetchall()]
            indexes = []
            for name in names:
                cursor.execute(f'PRAGMA index_info("{name}")')
                indexes.append([row[2] for row in cursor.fetchall()])
            return indexes
        constraints = connection.introspection.get_constraints(cursor, table)
    return [
        c["columns"]
        for c in constraints.values()
        if (c["index"] or c["unique"] or c["primary_key"]) and c["columns"]
    ]


@pytest.mark.django_db
def test_every_foreign_key_is_indexed_once():
    """Every foreign key column starts an index (lookups and ON DELETE by it use it), and
    has no index of its own when a wider one already starts with it (the wider one serves
    the same lookups: the single one is only space and work per write).
    plans/results/collab 0002 dropped the doubles."""
    from django.apps import apps

    missing, doubled = [], []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        table = model._meta.db_table
        indexes = _indexes(table)
        for field in model._meta.concrete_fields:
            if not field.is_relation:
                continue
            column = field.column
            leading = [columns for columns in indexes if columns[0] == column]
            if not leading:
                missing.append(f"{table}.{column}")
            elif [column] in leading and len(leading) > 1:
                doubled.append(f"{table}.{column}")
    assert missing == []
    assert doubled == []
