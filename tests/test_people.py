"""People: the 事務局 manages its own council's users in the app, and everyone changes
their own password (issue 15 item 5)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from plans.audit import audit_record
from plans.models import AuditEvent, User

from .factories import PASSWORD, UserFactory
from .test_walk import problems_in, visible_text

NEW_PASSWORD = "Sakura-no-hana-2020"


def sign_in(username: str, password: str) -> Client:
    """A browser signing in through the login page, as a person does."""
    client = Client()
    client.post(reverse("login"), {"username": username, "password": password})
    return client


def trail_text(client: Client) -> str:
    """The 操作履歴 as read: 「役割: 係長・担当 → 課長」 on one line."""
    return visible_text(client.get(reverse("plans:audit")).content.decode()).replace("\n: ", ": ")


def signed_in(client: Client) -> bool:
    response = client.get(reverse("home"))
    return response.status_code == 200


def add_form(world, **overrides) -> dict:
    data = {
        "username": "sato",
        "last_name": "佐藤",
        "first_name": "花子",
        "email": "sato@example.jp",
        "role": User.Role.SECTION_STAFF,
        "department": "",
        "section": world.section_a.pk,
        "password1": "Hajimete-no-2020",
        "password2": "Hajimete-no-2020",
    }
    data.update(overrides)
    return data


def test_the_secretariat_adds_a_user_who_signs_in_and_changes_the_password(client, world):
    client.force_login(world.users["secretariat"])
    form_page = client.get(reverse("plans:user_add")).content.decode()
    assert "（選んでください）" in form_page
    response = client.post(reverse("plans:user_add"), add_form(world))
    assert response.status_code == 302
    listing = client.get(reverse("plans:users")).content.decode()
    assert "佐藤 花子" in listing
    assert "係長・担当" in listing
    assert "福祉活動推進課 A係" in listing

    person = sign_in("sato", "Hajimete-no-2020")
    assert "佐藤 花子" in person.get(reverse("home")).content.decode()
    # The header links the person's own password page.
    assert reverse("password_change") in person.get(reverse("home")).content.decode()
    response = person.post(
        reverse("password_change"),
        {
            "old_password": "Hajimete-no-2020",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )
    assert "パスワードを変更しました" in response.content.decode()
    assert signed_in(person)  # still signed in after the change
    assert not signed_in(sign_in("sato", "Hajimete-no-2020"))
    assert signed_in(sign_in("sato", NEW_PASSWORD))

    # The trail says who added whom, with the role and 係 in words.
    trail = trail_text(client)
    assert "利用者の追加" in trail
    assert "「佐藤 花子」（sato）を追加" in trail
    assert "役割: 係長・担当" in trail
    assert "係: A係" in trail


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"section": ""}, "係長・担当の方は所属する係を選んでください。"),
        (
            {"role": User.Role.DEPARTMENT_HEAD, "section": ""},
            "課長の方は担当する課を選んでください。",
        ),
        ({"role": ""}, "この項目は必須です。"),
        ({"password2": "Hajimete-no-2021"}, "確認のパスワードが一致しません。"),
        ({"password1": "12345678", "password2": "12345678"}, "このパスワードは一般的すぎます。"),
        ({"username": "ひらがな"}, "ログイン名は半角の英数字と @ . + - _ で入力してください。"),
        ({"email": "sato@"}, "有効なメールアドレスを入力してください。"),
    ],
)
def test_an_incomplete_new_user_is_refused_in_japanese(client, world, overrides, message):
    client.force_login(world.users["secretariat"])
    response = client.post(reverse("plans:user_add"), add_form(world, **overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert problems_in(visible_text(page)) == []
    assert not User.objects.filter(username="sato").exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.USER_ADDED).exists()


def test_a_login_name_in_use_is_refused(client, world):
    client.force_login(world.users["secretariat"])
    taken = world.users["staff_a"].username
    response = client.post(reverse("plans:user_add"), add_form(world, username=taken.upper()))
    assert "このログイン名はすでに使われています。" in response.content.decode()
    assert User.objects.filter(username__iexact=taken).count() == 1


def test_the_secretariat_changes_a_role_and_the_trail_says_it_in_words(client, world):
    staff_b = world.users["staff_b"]
    client.force_login(world.users["secretariat"])
    response = client.post(
        reverse("plans:user_edit", args=[staff_b.pk]),
        {
            "last_name": staff_b.last_name,
            "first_name": staff_b.first_name,
            "email": "",
            "role": User.Role.DEPARTMENT_HEAD,
            "department": world.section_b.department_id,
            # A 係 chosen for a 課長 is not kept: the role has a 課, not a 係.
            "section": world.section_b.pk,
        },
    )
    assert response.status_code == 302
    staff_b.refresh_from_db()
    assert staff_b.role == User.Role.DEPARTMENT_HEAD
    assert staff_b.department_id == world.section_b.department_id
    assert staff_b.section_id is None
    trail = trail_text(client)
    assert "役割: 係長・担当 → 課長" in trail
    assert "係: B係 → （なし）" in trail
    assert "課: 福祉活動推進課" in trail


def test_a_deactivated_user_cannot_sign_in_and_keeps_their_name_in_the_trail(client, world):
    staff_a = world.users["staff_a"]
    audit_record(
        organization=world.organization,
        user=staff_a,
        action=AuditEvent.Action.SUBMITTED,
        summary="第1四半期を提出",
        section=world.section_a,
    )
    their_browser = sign_in(staff_a.username, PASSWORD)
    assert signed_in(their_browser)

    client.force_login(world.users["secretariat"])
    response = client.post(
        reverse("plans:user_active", args=[staff_a.pk]), {"active": "0"}, follow=True
    )
    assert "の利用を停止しました" in response.content.decode()
    assert "停止中" in client.get(reverse("plans:users")).content.decode()

    assert not signed_in(their_browser)  # the open session ends too
    refused = Client().post(reverse("login"), {"username": staff_a.username, "password": PASSWORD})
    assert refused.status_code == 200
    assert "正しいユーザー名とパスワードを入力してください" in refused.content.decode()

    trail = trail_text(client)
    assert f"{staff_a.display_name}\n提出" in trail
    assert f"「{staff_a.display_name}」（{staff_a.username}）の利用を停止" in trail
    # The trail can still be narrowed to their entries.
    only_theirs = client.get(reverse("plans:audit"), {"user": staff_a.pk}).content.decode()
    assert "第1四半期を提出" in only_theirs

    # Resumed, they sign in again.
    client.post(reverse("plans:user_active", args=[staff_a.pk]), {"active": "1"})
    assert signed_in(sign_in(staff_a.username, PASSWORD))


def test_the_secretariat_cannot_deactivate_themselves(client, world):
    me = world.users["secretariat"]
    client.force_login(me)
    page = client.get(reverse("plans:user_edit", args=[me.pk])).content.decode()
    assert "自分自身の利用は停止できません。" in page
    assert "利用を停止する" not in page
    response = client.post(reverse("plans:user_active", args=[me.pk]), {"active": "0"}, follow=True)
    assert "自分自身の利用は停止できません。" in response.content.decode()
    me.refresh_from_db()
    assert me.is_active
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.USER_DEACTIVATED).exists()


def test_the_secretariat_cannot_change_their_own_role(client, world):
    me = world.users["secretariat"]
    client.force_login(me)
    response = client.post(
        reverse("plans:user_edit", args=[me.pk]),
        {"last_name": "事務", "first_name": "太郎", "role": User.Role.BOARD},
    )
    assert "自分自身の役割は変えられません。" in response.content.decode()
    me.refresh_from_db()
    assert me.role == User.Role.SECRETARIAT
    assert me.last_name == "利用"
    # Their own name and address they do change.
    client.post(
        reverse("plans:user_edit", args=[me.pk]),
        {"last_name": "事務", "first_name": "太郎", "role": User.Role.SECRETARIAT},
    )
    me.refresh_from_db()
    assert me.display_name == "事務 太郎"


def test_another_councils_secretariat_cannot_see_or_change_these_users(client, world, mailoutbox):
    staff_a = world.users["staff_a"]
    staff_a.email = "a@example.jp"
    staff_a.save(update_fields=["email"])
    client.force_login(world.users["other_org"])
    assert staff_a.display_name not in client.get(reverse("plans:users")).content.decode()
    edit = reverse("plans:user_edit", args=[staff_a.pk])
    assert client.get(edit).status_code == 404
    posted = client.post(
        edit, {"last_name": "乗っ取り", "role": User.Role.SECRETARIAT, "email": "x@example.jp"}
    )
    assert posted.status_code == 404
    assert (
        client.post(reverse("plans:user_active", args=[staff_a.pk]), {"active": "0"}).status_code
        == 404
    )
    assert client.post(reverse("plans:user_password_reset", args=[staff_a.pk])).status_code == 404
    staff_a.refresh_from_db()
    assert (staff_a.last_name, staff_a.role, staff_a.is_active) == (
        "利用",
        User.Role.SECTION_STAFF,
        True,
    )
    assert mailoutbox == []
    # Nor can it give its own new user a 係 of ours.
    response = client.post(reverse("plans:user_add"), add_form(world, section=world.section_a.pk))
    assert "正しく選択してください" in response.content.decode()
    assert not User.objects.filter(username="sato").exists()


def test_other_roles_do_not_manage_users(client, world):
    for role in ("department_head", "staff_a", "board", "city"):
        client.force_login(world.users[role])
        assert client.get(reverse("plans:users")).status_code == 403
        response = client.post(
            reverse("plans:user_active", args=[world.users["staff_b"].pk]), {"active": "0"}
        )
        assert response.status_code == 403
    world.users["staff_b"].refresh_from_db()
    assert world.users["staff_b"].is_active


def test_the_password_reset_mail_is_japanese_and_its_link_works_once(client, world, mailoutbox):
    staff_a = world.users["staff_a"]
    staff_a.email = "a@example.jp"
    staff_a.save(update_fields=["email"])
    client.force_login(world.users["secretariat"])
    response = client.post(reverse("plans:user_password_reset", args=[staff_a.pk]), follow=True)
    assert "a@example.jp）にパスワード再設定のメールを送りました。" in response.content.decode()

    (mail,) = mailoutbox
    assert mail.to == ["a@example.jp"]
    assert mail.subject == "【shakyo】パスワードの再設定"
    assert f"{staff_a.display_name} 様" in mail.body
    assert "テスト市社会福祉協議会の事務局から" in mail.body
    assert "一度だけ使えます" in mail.body
    assert f"ログイン名: {staff_a.username}" in mail.body
    (link,) = re.findall(r"http://testserver(/password/reset/\S+/)", mail.body)

    browser = Client()
    form_page = browser.get(link, follow=True)
    page = form_page.content.decode()
    assert "新しいパスワードを2回入力してください。" in page
    assert problems_in(visible_text(page)) == []
    done = browser.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "パスワードを設定しました" in done.content.decode()
    assert signed_in(sign_in(staff_a.username, NEW_PASSWORD))
    assert not signed_in(sign_in(staff_a.username, PASSWORD))

    used_again = Client().get(link, follow=True).content.decode()
    assert "このリンクは使えません。すでに一度使ったか、期限が過ぎています。" in used_again
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PASSWORD_RESET_SENT,
        summary__contains=staff_a.display_name,
    ).exists()


def test_no_reset_mail_without_an_address(client, world, mailoutbox):
    client.force_login(world.users["secretariat"])
    response = client.post(
        reverse("plans:user_password_reset", args=[world.users["staff_b"].pk]), follow=True
    )
    assert "メールアドレスが登録されていません。" in response.content.decode()
    assert mailoutbox == []
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_RESET_SENT).exists()


def test_the_user_list_query_count_does_not_grow_with_people(
    client, world, django_assert_num_queries
):
    client.force_login(world.users["secretariat"])
    url = reverse("plans:users")
    # session, user, the organisation (its name in the heading), the council's users
    # (+課, 係 and its 課 joined), and the session save (savepoint, update, release)
    expected = 7
    with django_assert_num_queries(expected):
        small = client.get(url)
    for number in range(15):
        UserFactory(
            organization=world.organization,
            role=User.Role.SECTION_STAFF,
            section=world.section_b if number % 2 else world.section_a,
        )
    with django_assert_num_queries(expected):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count("btn-outline-primary btn-sm") == 15 + len(
        [u for u in world.users.values() if u.organization_id == world.organization.pk]
    )
