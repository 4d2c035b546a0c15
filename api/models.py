"""API tokens: a key held by an organisation's system, issued and revoked by a person."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.db.models import Q

from plans.models import Organization, User

TOKEN_PREFIX = "shakyo_"


def hash_key(key: str) -> str:
    """Tokens are stored as SHA-256 hashes: a leaked database does not leak the keys."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A key for one organisation's system.

    ``holder`` is the organisation whose system calls the API. When ``council`` is empty
    or the holder itself, the token reads the holder's own plans (a council's token, like
    the 理事・評議員 screens). Otherwise the holder is a commissioning body (a city, or 東京都
    社会福祉協議会) and the token reads only the businesses it commissioned from ``council``
    — like the city's screens. An operator's token for a city may leave ``council`` empty:
    then it reads what the city commissioned from every council, as its screens do.
    """

    class Scope(models.TextChoices):
        OWN = "own", "自法人の計画と実績"
        COMMISSIONED = "commissioned", "委託した事業の計画と実績"

    holder = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="利用する法人",
    )
    scope = models.CharField("読める範囲", max_length=20, choices=Scope)
    council = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="対象の社会福祉協議会",
    )
    name = models.CharField("用途", max_length=100)
    key_prefix = models.CharField("キーの先頭", max_length=16)
    key_hash = models.CharField("キーのハッシュ", max_length=64, unique=True)
    created_at = models.DateTimeField("発行日時", auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="発行者",
    )
    revoked_at = models.DateTimeField("無効にした日時", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="無効にした人",
    )
    last_used_at = models.DateTimeField("最後に使われた日時", null=True, blank=True)

    class Meta:
        verbose_name = "APIの利用キー"
        verbose_name_plural = "APIの利用キー"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="own", council__isnull=True) | Q(scope="commissioned"),
                name="api_token_own_has_no_council",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
