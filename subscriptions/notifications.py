"""Who hears about a request or a subscription, in the inbox and by email.

Approvers get a TASK for a new request; when anyone decides, every approver's task for
it goes INACTIVE. The requester gets an EVENT for each decision and for the end of the
subscription. Email follows TASKs and decisions, after commit, unless a person turned it
off on their profile.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from projects.choices import NotificationKind, TaskStatus
from projects.models import Notification
from projects.services import notifications_create

from .models import EmailPreference
from .permissions import approver_users, project_member_users  # noqa: F401  (services use both)

REQUEST_TASK_TOPIC = "SUBSCRIPTION_REQUEST"


def request_link(request) -> str:
    return f"/subscription-requests/{request.pk}/"


def subscription_link(subscription) -> str:
    return f"/subscriptions/{subscription.pk}/"


def _email_later(recipients, subject: str, body: str) -> None:
    """Email each recipient who has an address and did not turn email off, after commit
    (a rolled-back decision sends nothing)."""
    opted_out = set(
        EmailPreference.objects.filter(
            user__in=[r.pk for r in recipients], email_enabled=False
        ).values_list("user_id", flat=True)
    )
    addresses = sorted({r.email for r in recipients if r.email and r.pk not in opted_out})
    if not addresses:
        return

    def send():
        for address in addresses:  # one message each: recipients never see each other
            send_mail(subject[:200], body, settings.DEFAULT_FROM_EMAIL, [address])

    transaction.on_commit(send)


def notify(recipients, *, kind: str, topic: str, title: str, body: str, link: str, email=True):
    recipients = list({r.pk: r for r in recipients}.values())
    notifications_create(
        recipients=recipients, kind=kind, topic=topic, title=title, body=body, link=link
    )
    if email:
        _email_later(recipients, title, f"{body}\n\n{link}")


def notify_request_created(request) -> None:
    listing = request.listing
    requester = request.requester.get_username() if request.requester_id else "someone"
    notify(
        approver_users(listing),
        kind=NotificationKind.TASK,
        topic=REQUEST_TASK_TOPIC,
        title=f"Decide: {request.project.name} asks to subscribe to {listing.name}",
        body=f"{requester} asks on behalf of project {request.project.name}: {request.reason}",
        link=request_link(request),
    )


def close_request_tasks(request) -> int:
    """Every approver's task for the request goes INACTIVE (anyone's decision closes it)."""
    return Notification.objects.filter(
        kind=NotificationKind.TASK,
        topic=REQUEST_TASK_TOPIC,
        link=request_link(request),
        task_status=TaskStatus.ACTIVE,
    ).update(task_status=TaskStatus.INACTIVE)


def notify_requester(request, *, topic: str, title: str, body: str, link: str) -> None:
    if request.requester_id is None:
        return
    notify(
        [request.requester],
        kind=NotificationKind.EVENT,
        topic=topic,
        title=title,
        body=body,
        link=link,
    )
