"""Writes of notifications and of the SSO groups a user brings at sign-in."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Notification
from ..permissions import user_group_names


def notification_create(
    *, recipient, kind: str, topic: str, title: str, body: str = "", link: str = ""
) -> Notification:
    return Notification.objects.create(
        recipient=recipient, kind=kind, topic=topic, title=title[:255], body=body, link=link
    )


def notifications_create(
    *, recipients, kind: str, topic: str, title: str, body: str = "", link: str = ""
) -> list[Notification]:
    """The same notification for each recipient, in one INSERT (a grant tells a whole
    project; one query per member would grow with the project)."""
    return notifications_create_many(
        [dict(recipients=recipients, kind=kind, topic=topic, title=title, body=body, link=link)]
    )


def notifications_create_many(notes) -> list[Notification]:
    """Several notifications, each for its own recipients, in one INSERT (a batch of
    grants tells each consumer project about its own): each a dict of
    ``notifications_create``'s arguments."""
    return Notification.objects.bulk_create(
        Notification(
            recipient=recipient,
            kind=note["kind"],
            topic=note["topic"],
            title=note["title"][:255],
            body=note.get("body", ""),
            link=note.get("link", ""),
        )
        for note in notes
        for recipient in note["recipients"]
    )


def notification_mark_read(*, acting_user, notification: Notification) -> Notification:
    if notification.recipient_id != acting_user.pk:  # selectors already narrow; belt and braces
        raise ValidationError("This notification is not yours.")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.refresh_from_db()
    return notification


def notification_mark_all_read(*, acting_user) -> int:
    return Notification.objects.filter(recipient=acting_user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def user_sync_sso_groups(*, user, groups) -> list[str]:
    """Make the user's groups exactly the ones the identity provider sent.

    The IdP is the source of truth for SSO users: a group removed there loses its
    project memberships here at the next login.
    """
    if isinstance(groups, str):
        groups = [groups]
    names = sorted({str(g).strip()[:150] for g in (groups or []) if str(g).strip()})
    existing = {g.name: g for g in Group.objects.filter(name__in=names)}
    for name in names:
        if name not in existing:
            existing[name], _ = Group.objects.get_or_create(name=name)
    user.groups.set(existing.values())
    user._meshportal_group_names = names
    user_group_names(user)
    return names
