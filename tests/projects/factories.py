"""factory_boy factories for the projects app."""

import factory
from django.contrib.auth import get_user_model

from projects import models
from projects.choices import Blueprint, Designation, DomainRole, EnvironmentStatus, NotificationKind

PASSWORD = "correct-horse-battery-staple"

# The projects app's tables a write could leave half-made: the tests count their rows
# before and after a refused or failed request.
TABLES = (
    models.Domain, models.AwsAccount, models.EnvironmentProfile, models.Project,
    models.ProjectMembership, models.Environment, models.Notification,
)  # fmt: skip


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
        model = models.Domain
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"domain-{n}")
    description = "A business domain."


class DomainMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DomainMembership

    domain = factory.SubFactory(DomainFactory)
    user = factory.SubFactory(UserFactory)
    role = DomainRole.STEWARD


class AwsAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AwsAccount

    domain = factory.SubFactory(DomainFactory)
    name = "Producer account"
    account_id = "111111111111"
    region = "us-east-1"


class EnvironmentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EnvironmentProfile

    domain = factory.SubFactory(DomainFactory)
    aws_account = factory.SubFactory(AwsAccountFactory, domain=factory.SelfAttribute("..domain"))
    name = factory.Sequence(lambda n: f"DataLakeProfile{n}")
    blueprint = Blueprint.DATA_LAKE
    region = "us-east-1"
    parameters = factory.LazyFunction(lambda: {"s3_bucket": "meshportal-environments"})


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Project

    domain = factory.SubFactory(DomainFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    description = "A project."


class ProjectMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProjectMembership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    designation = Designation.CONTRIBUTOR


class EnvironmentFactory(factory.django.DjangoModelFactory):
    """An environment row as provisioning leaves it (ACTIVE by default)."""

    class Meta:
        model = models.Environment

    project = factory.SubFactory(ProjectFactory)
    profile = factory.SubFactory(
        EnvironmentProfileFactory, domain=factory.SelfAttribute("..project.domain")
    )
    name = factory.Sequence(lambda n: f"env-{n}")
    status = EnvironmentStatus.ACTIVE


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Notification

    recipient = factory.SubFactory(UserFactory)
    kind = NotificationKind.EVENT
    topic = "TEST"
    title = factory.Sequence(lambda n: f"Notification {n}")


def owned_project(domain, name: str, owner):
    """A project of ``domain`` named ``name`` whose OWNER is ``owner``."""
    project = ProjectFactory(domain=domain, name=name)
    ProjectMembershipFactory(project=project, user=owner, designation=Designation.OWNER)
    return project


def project_member(project, username: str, designation=Designation.CONTRIBUTOR):
    """A user named ``username`` who is a member of ``project`` (the persona fixtures)."""
    user = UserFactory(username=username)
    ProjectMembershipFactory(project=project, user=user, designation=designation)
    return user


def domain_member(domain, username: str, role=DomainRole.STEWARD):
    """A user named ``username`` who holds ``role`` in ``domain``."""
    user = UserFactory(username=username)
    DomainMembershipFactory(domain=domain, user=user, role=role)
    return user


def film_and_marketing(domain):
    """The scenario's two teams in ``domain``: ``(film_owner, marketing_owner, film,
    marketing)``, each project with its OWNER (the producer and the consumer)."""
    film_owner = UserFactory(username="film-catalog-team-admin")
    marketing_owner = UserFactory(username="marketing-team-admin")
    film = owned_project(domain, "Film Catalog Project", film_owner)
    marketing = owned_project(domain, "marketing-team-analysis", marketing_owner)
    return film_owner, marketing_owner, film, marketing
