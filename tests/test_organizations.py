"""Councils, cities and their relations: only an operator makes them, a council names them."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from plans.models import AuditEvent, Business, CollaborationGrant, Commission, Organization
from plans.services import commission_add, commission_remove

from .factories import PASSWORD, CityFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def organization(*args: str) -> str:
    out = io.StringIO()
    call_command("organization", *args, stdout=out)
    return out.getvalue()


def test_the_operator_registers_a_city_and_relates_it_to_a_council():
    OrganizationFactory(name="西東京市社会福祉協議会")
    assert "西東京市（市区町村）を登録しました。" in organization(
        "add", "西東京市", "--kind", "city"
    )
    organization("commission", "西東京市社会福祉協議会", "西東京市")
    organization("collab", "西東京市社会福祉協議会", "西東京市")
    listing = organization("list")
    assert (
        "西東京市社会福祉協議会（社会福祉協議会）\n  委託元: 西東京市\n  協働事業を閲覧: 西東京市"
        in (listing)
    )
    council = Organization.objects.get(name="西東京市社会福祉協議会")
    assert [e.summary for e in AuditEvent.objects.filter(organization=council)] == [
        "「西東京市」の協働事業の閲覧を登録",
        "委託元「西東京市」を登録",
    ]


def test_the_command_names_the_known_organisations_when_a_name_is_unknown():
    OrganizationFactory(name="西東京市社会福祉協議会")
    CityFactory(name="西東京市")
    with pytest.raises(CommandError) as caught:
        organization("commission", "西東京市社会福祉協議会", "東久留米市")
    assert str(caught.value) == (
        "法人「東久留米市」は登録されていません。登録されている法人: 西東京市、西東京市社会福祉協議会。"
        "ほかの法人はシステム管理者が登録します。"
    )
    # A city is never the council that reads another city's 協働事業一覧.
    with pytest.raises(CommandError, match="社協「西東京市」は登録されていません"):
        organization("collab", "西東京市", "西東京市")
    assert not Commission.objects.exists()
    assert not CollaborationGrant.objects.exists()


def test_a_business_names_only_a_commissioner_related_to_its_council(world):
    stranger = CityFactory(name="小金井市")
    business = world.business_a
    business.commissioned_by = stranger
    with pytest.raises(ValidationError) as caught:
        business.full_clean()
    assert caught.value.message_dict["commissioned_by"] == [
        "委託元「小金井市」はこの法人に登録されていません。登録されている委託元: 西東京市。"
        "ほかの委託元はシステム管理者が登録します。"
    ]
    business.commissioned_by = world.city
    business.full_clean()


def test_a_relation_still_named_by_a_plan_cannot_be_removed(world):
    with pytest.raises(ValidationError, match="受託事業が1件あるため"):
        commission_remove(council=world.organization, commissioner=world.city)
    assert Commission.objects.filter(council=world.organization).exists()
    Business.objects.filter(commissioned_by=world.city).update(commissioned_by=None)
    commission_remove(council=world.organization, commissioner=world.city)
    assert not Commission.objects.filter(council=world.organization).exists()


def test_a_city_is_no_council_and_nobody_commissions_itself(world):
    with pytest.raises(ValidationError):
        commission_add(council=world.city, commissioner=world.organization)
    with pytest.raises(ValidationError):
        commission_add(council=world.organization, commissioner=world.organization)


def test_the_operator_relates_a_body_in_the_admin_and_it_is_audited(client, world):
    operator = UserFactory(organization=None, role="", is_staff=True, is_superuser=True)
    assert client.login(username=operator.username, password=PASSWORD)
    body = OrganizationFactory(name="東京都社会福祉協議会")
    response = client.post(
        reverse("admin:plans_commission_add"),
        {"council": world.organization.pk, "commissioner": body.pk},
    )
    assert response.status_code == 302
    assert Commission.objects.filter(council=world.organization, commissioner=body).exists()
    event = AuditEvent.objects.get(organization=world.organization)
    assert (event.user, event.summary) == (operator, "委託元「東京都社会福祉協議会」を登録")


def test_a_council_user_marked_staff_still_gets_no_admin(client, world):
    secretariat = world.users["secretariat"]
    secretariat.is_staff = True
    secretariat.save(update_fields=["is_staff"])
    assert client.login(username=secretariat.username, password=PASSWORD)
    response = client.get(reverse("admin:plans_user_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    response = client.post(
        reverse("admin:plans_organization_add"), {"name": "勝手な市", "kind": "city"}
    )
    assert response.status_code == 302
    assert not Organization.objects.filter(name="勝手な市").exists()
