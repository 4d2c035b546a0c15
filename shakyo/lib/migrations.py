"""Helpers for hand-written migrations."""

from __future__ import annotations

from django.db import migrations


def drop_covered_fk_index(
    alter: migrations.AlterField, *, table: str, index: str
) -> migrations.SeparateDatabaseAndState:
    """``alter`` (a foreign key made ``db_index=False``) for the models' state; in the
    database only ``DROP INDEX index`` (created by 0001 under that name, the same name on
    PostgreSQL and SQLite).

    Left to itself, Django drops and re-adds the foreign key constraint around the index:
    PostgreSQL then checks every row of the table again under lock (4.8 million 実績 at
    XL), and SQLite copies the table.
    """
    column = f"{alter.name}_id"
    return migrations.SeparateDatabaseAndState(
        state_operations=[alter],
        database_operations=[
            migrations.RunSQL(
                sql=f'DROP INDEX IF EXISTS "{index}"',
                reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
            )
        ],
    )
