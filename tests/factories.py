"""Factories for test data; a row's target is parsed by the real parser."""

from __future__ import annotations

import factory

from plans.models import (
    Business,
    Department,
    FiscalYear,
    Initiative,
    Organization,
    PlanItem,
    Section,
    User,
)
from plans.services import target_fields, target_quantities
from targets.parser import parse_target

PASSWORD = "test-pass-1234"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"テスト市社会福祉協議会{n}")
    kind = Organization.Kind.COUNCIL


class CityFactory(OrganizationFactory):
    name = "西東京市"
    kind = Organization.Kind.CITY


class FiscalYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FiscalYear
        django_get_or_create = ("organization", "year")

    organization = factory.SubFactory(OrganizationFactory)
    year = 2020


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"第{n}課")
    order = factory.Sequence(int)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"第{n}係")
    order = factory.Sequence(int)


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    fiscal_year = factory.SubFactory(
        FiscalYearFactory, organization=factory.SelfAttribute("..section.department.organization")
    )
    section = factory.SubFactory(SectionFactory)
    name = factory.Sequence(lambda n: f"事業{n}")
    order = factory.Sequence(int)
    policies = factory.LazyFunction(lambda: ["１.地域福祉を推進します。"])


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    business = factory.SubFactory(BusinessFactory)
    number = factory.Sequence(lambda n: n % 20 + 1)
    title = factory.Sequence(lambda n: f"取り組み{n}")
    policy = "・方針の文章です。"
    order = factory.Sequence(int)


class PlanItemFactory(factory.django.DjangoModelFactory):
    """A plan row; pass ``target_text`` (and ``detail``) and the target is parsed."""

    class Meta:
        model = PlanItem

    initiative = factory.SubFactory(InitiativeFactory)
    order = factory.Sequence(int)
    group = "会議の開催"
    name = factory.Sequence(lambda n: f"({n % 9 + 1})会議")
    detail = ""
    target_text = "4回"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        parsed = parse_target(kwargs.get("target_text", ""), kwargs.get("detail", ""))
        kwargs.update(target_fields(parsed))
        item = super()._create(model_class, *args, **kwargs)
        for quantity in target_quantities(item, parsed):
            quantity.save()
        return item


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "利用"
    first_name = factory.Sequence(lambda n: f"者{n}")
    organization = factory.SubFactory(OrganizationFactory)
    role = User.Role.SECTION_STAFF
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()
