"""Back up and restore the whole database: SQLite's online backup, or pg_dump/pg_restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    """A backup or restore that could not be done; the message is Japanese."""


def _pg_env() -> tuple[list[str], dict[str, str]]:
    params = connection.settings_dict
    args = ["--host", params.get("HOST") or "127.0.0.1", "--port", str(params.get("PORT") or 5432)]
    if params.get("USER"):
        args += ["--username", params["USER"]]
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} が見つかりません。PostgreSQL のクライアントをインストールしてください。"
        )
    return path


def database_backup(*, output: Path) -> Path:
    """Write a consistent copy of the live database to ``output`` while it is in use."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(output)
        try:
            # The online backup API copies a consistent snapshot even while others write.
            connection.connection.backup(target)
        finally:
            target.close()
        return output
    if connection.vendor == "postgresql":
        args, env = _pg_env()
        result = subprocess.run(
            [
                _tool("pg_dump"),
                *args,
                "--format=custom",
                "--file",
                str(output),
                connection.settings_dict["NAME"],
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"バックアップに失敗しました: {result.stderr.strip()}")
        return output
    raise BackupError(
        f"このデータベース（{connection.vendor}）のバックアップには対応していません。"
    )


def database_restore(*, source: Path) -> None:
    """Replace the live database's contents by the backup ``source``."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"バックアップファイルが見つかりません: {source}")
    if connection.vendor == "sqlite":
        with source.open("rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise BackupError("SQLite のバックアップファイルではありません。")
        connection.ensure_connection()
        backup = sqlite3.connect(source)
        try:
            backup.backup(connection.connection)
        finally:
            backup.close()
        return
    if connection.vendor == "postgresql":
        args, env = _pg_env()
        connection.close()
        result = subprocess.run(
            [
                _tool("pg_restore"),
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                connection.settings_dict["NAME"],
                str(source),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"復元に失敗しました: {result.stderr.strip()}")
        return
    raise BackupError(f"このデータベース（{connection.vendor}）の復元には対応していません。")
