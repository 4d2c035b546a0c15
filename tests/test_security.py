"""Login throttling, session limits, Content-Security-Policy and deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from plans.models import AuditEvent, User

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


# --- Behind the office's reverse proxy (BEHIND_PROXY, PROXY_COUNT) ----------------------
PROXY = "10.0.0.2"  # the reverse proxy, as the application sees it (REMOTE_ADDR)
OFFICE = "198.51.100.7"  # the council's office: every colleague behind one address
STRANGER = "203.0.113.9"


@pytest.fixture
def behind_proxy(settings, axes_on):
    settings.BEHIND_PROXY = True
    settings.PROXY_COUNT = 1


def through_proxy(client, username, password, forwarded):
    """A login POST as the proxy forwards it: X-Forwarded-For ends with the peer it saw."""
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db
def test_behind_a_proxy_a_stranger_locks_only_their_own_pair_never_a_colleague(
    client, behind_proxy
):
    UserFactory(username="kakaricho")
    for _ in range(3):
        through_proxy(client, "kakaricho", "wrong", STRANGER)
    assert through_proxy(client, "kakaricho", PASSWORD, STRANGER).status_code == 429
    # The same name from the office, through the same proxy, still signs in.
    response = through_proxy(client, "kakaricho", PASSWORD, OFFICE)
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


@pytest.mark.django_db
def test_a_forged_forwarded_for_does_not_lock_out_the_office(client, behind_proxy):
    UserFactory(username="kakaricho")
    # The stranger writes the office's address into the header; the proxy appends theirs.
    for _ in range(4):
        through_proxy(client, "kakaricho", "wrong", f"{OFFICE}, {STRANGER}")
    assert through_proxy(client, "kakaricho", PASSWORD, OFFICE).status_code == 302


@pytest.mark.django_db
def test_without_a_proxy_a_forwarded_for_header_is_ignored(client, axes_on):
    UserFactory(username="kakaricho")
    for n in range(3):  # a new made-up address each time does not escape the limit
        client.post(
            reverse("login"),
            {"username": "kakaricho", "password": "wrong"},
            REMOTE_ADDR=STRANGER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert attempt(client, "kakaricho", PASSWORD, STRANGER).status_code == 429


@pytest.mark.parametrize(
    ("behind", "hops", "forwarded", "expected"),
    [
        (False, 1, "198.51.100.7", PROXY),  # not configured: the header is the client's
        (True, 1, "198.51.100.7", "198.51.100.7"),
        (True, 1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # left of it: written by client
        (True, 2, "198.51.100.7, 10.0.0.1", "198.51.100.7"),  # two proxies
        (True, 2, "1.2.3.4, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        (True, 2, "10.0.0.1", PROXY),  # shorter than the proxies: bypassed them
        (True, 1, "", PROXY),
        (True, 1, "unknown", PROXY),  # not an address
        (True, 1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_client_address(rf, settings, behind, hops, forwarded, expected):
    from shakyo.proxy import client_address

    settings.BEHIND_PROXY, settings.PROXY_COUNT = behind, hops
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


@pytest.mark.django_db
def test_the_locked_page_says_when_to_retry_and_how_the_secretariat_unlocks(client, axes_on):
    UserFactory(username="kakaricho")
    moment = datetime(2020, 7, 1, 9, 40, tzinfo=ZoneInfo("Asia/Tokyo"))
    with time_machine.travel(moment, tick=False):
        for _ in range(3):
            attempt(client, "kakaricho", "wrong")
        page = attempt(client, "kakaricho", PASSWORD).content.decode()
    assert "9時55分</strong>を過ぎてから、もう一度お試しください" in page  # 9:40 + 15 min
    assert "事務局はメニューの「ログインの停止」から、すぐに解除できます" in page
    assert "同じ事務所のほかの方は、いつもどおりログインできます" in page


@pytest.mark.django_db
def test_the_secretariat_lifts_a_colleagues_lockout_and_it_is_recorded(
    client, axes_on, world, django_assert_num_queries
):
    staff = world.users["staff_a"]
    for _ in range(3):
        attempt(client, staff.username, "wrong", OFFICE)
    assert attempt(client, staff.username, PASSWORD, OFFICE).status_code == 429
    secretariat = world.users["secretariat"]
    client.force_login(secretariat)
    # Queries: session, user, the council's users, the locked attempts; the session saved
    # (savepoint, update, release: SESSION_SAVE_EVERY_REQUEST).
    with django_assert_num_queries(7):
        page = client.get(reverse("plans:lockouts")).content.decode()
    assert staff.username in page
    assert OFFICE in page
    response = client.post(
        reverse("plans:lockout_clear"), {"username": staff.username, "address": OFFICE}
    )
    assert response.status_code == 302
    assert (
        "いま停止しているログインはありません"
        in client.get(reverse("plans:lockouts")).content.decode()
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_UNLOCKED)
    assert (event.user, event.organization) == (secretariat, world.organization)
    client.logout()
    assert attempt(client, staff.username, PASSWORD, OFFICE).status_code == 302


@pytest.mark.django_db
def test_another_councils_secretariat_cannot_lift_a_lockout(client, axes_on, world):
    staff = world.users["staff_a"]
    for _ in range(3):
        attempt(client, staff.username, "wrong", OFFICE)
    client.force_login(world.users["other_org"])
    assert staff.username not in client.get(reverse("plans:lockouts")).content.decode()
    client.post(reverse("plans:lockout_clear"), {"username": staff.username, "address": OFFICE})
    client.logout()
    assert attempt(client, staff.username, PASSWORD, OFFICE).status_code == 429
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_UNLOCKED).exists()


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


@pytest.mark.django_db
def test_a_session_ends_after_thirty_idle_minutes_and_not_before(client):
    user = UserFactory(role="secretariat")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(user)
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("plans:audit")).status_code == 200  # renews the cookie
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("plans:audit")).status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get(reverse("plans:audit"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "<script>" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("12345678", "このパスワードは数字しか使われていません。"),
        ("password", "このパスワードは一般的すぎます。"),
        ("a1b2c3", "このパスワードは短すぎます。最低 8 文字以上必要です。"),
    ],
)
def test_a_weak_password_is_refused_when_a_user_is_created(client, password, message):
    operator = UserFactory(organization=None, role="", is_staff=True, is_superuser=True)
    client.force_login(operator)
    response = client.post(
        reverse("admin:plans_user_add"),
        {
            "username": "atarashii",
            "usable_password": "true",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username="atarashii").exists()
    response = client.post(
        reverse("admin:plans_user_add"),
        {
            "username": "atarashii",
            "usable_password": "true",
            "password1": "shakyo-strong-pass-2020",
            "password2": "shakyo-strong-pass-2020",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(username="atarashii").exists()


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
