"""factory_boy factories for the projects app."""

import factory
from django.contrib.auth import get_user_model

from projects.choices import Blueprint, Designation, DomainRole, EnvironmentStatus, NotificationKind
from projects.models import (
    AwsAccount,
    Domain,
    DomainMembership,
    Environment,
    EnvironmentProfile,
    Notification,
    Project,
    ProjectMembership,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"domain-{n}")
    description = "A business domain."


class DomainMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DomainMembership

    domain = factory.SubFactory(DomainFactory)
    user = factory.SubFactory(UserFactory)
    role = DomainRole.STEWARD


class AwsAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwsAccount

    domain = factory.SubFactory(DomainFactory)
    name = "Producer account"
    account_id = "111111111111"
    region = "us-east-1"


class EnvironmentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnvironmentProfile

    domain = factory.SubFactory(DomainFactory)
    aws_account = factory.SubFactory(AwsAccountFactory, domain=factory.SelfAttribute("..domain"))
    name = factory.Sequence(lambda n: f"DataLakeProfile{n}")
    blueprint = Blueprint.DATA_LAKE
    region = "us-east-1"
    parameters = factory.LazyFunction(lambda: {"s3_bucket": "meshportal-environments"})


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    domain = factory.SubFactory(DomainFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    description = "A project."


class ProjectMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMembership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    designation = Designation.CONTRIBUTOR


class EnvironmentFactory(factory.django.DjangoModelFactory):
    """An environment row as provisioning leaves it (ACTIVE by default)."""

    class Meta:
        model = Environment

    project = factory.SubFactory(ProjectFactory)
    profile = factory.SubFactory(
        EnvironmentProfileFactory, domain=factory.SelfAttribute("..project.domain")
    )
    name = factory.Sequence(lambda n: f"env-{n}")
    status = EnvironmentStatus.ACTIVE


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = NotificationKind.EVENT
    topic = "TEST"
    title = factory.Sequence(lambda n: f"Notification {n}")
