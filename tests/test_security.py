"""Login throttling, session limits, Content-Security-Policy and deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from .factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[1]


def attempt(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_that_user_name_from_that_address(client, axes_on):
    user = UserFactory(username="kakaricho")
    for _ in range(2):
        assert attempt(client, "kakaricho", "wrong").status_code == 200
    # The failure that reaches the limit locks at once.
    assert attempt(client, "kakaricho", "wrong").status_code == 429
    locked = attempt(client, "kakaricho", PASSWORD)
    assert locked.status_code == 429
    assert "ログインを一時停止しました" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert user.pk  # the account itself is untouched


@pytest.mark.django_db
def test_lockout_does_not_lock_out_colleagues_behind_the_same_address(client, axes_on):
    UserFactory(username="kakaricho")
    UserFactory(username="kacho")
    for _ in range(3):
        attempt(client, "kakaricho", "wrong")
    response = attempt(client, "kacho", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


@pytest.mark.django_db
def test_lockout_ends_after_the_cool_off(client, axes_on, settings):
    UserFactory(username="kakaricho")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(3):
            attempt(client, "kakaricho", "wrong")
        assert attempt(client, "kakaricho", PASSWORD).status_code == 429
        traveller.shift(settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
        assert attempt(client, "kakaricho", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_session_ends_after_twelve_hours_however_active(client):
    user = UserFactory(role="secretariat")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(user)
        assert client.get(reverse("home")).status_code in (200, 302)
        # Active every 20 minutes (inside the idle limit) for 12 hours and a bit.
        for _ in range(37):
            traveller.shift(timedelta(minutes=20))
            client.get(reverse("home"))
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_idle_limit_is_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "<script>" not in response.content.decode()


def test_password_validators_are_on(settings):
    names = {v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert {"MinimumLengthValidator", "CommonPasswordValidator"} <= names


def test_check_deploy_is_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(
        DEBUG="0",
        SECRET_KEY="x" * 20 + "production-secret-key-from-the-environment-0123456789",
        ALLOWED_HOSTS="shakyo.example.jp",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DEBUG="0", ALLOWED_HOSTS="shakyo.example.jp")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
