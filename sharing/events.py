"""What people hear about grants: a line on the subscription's timeline for each status
change, and a notification to the consumer project (GRANTED with how to query it,
GRANT_FAILED with why) or a TASK to the producers for what a person must do."""

from meshportal.events import EventType, event_record, events_record
from projects.choices import Designation, NotificationKind
from projects.models import ProjectMembership
from projects.permissions import users_named_by
from projects.services import notifications_create_many
from subscriptions.choices import SubscriptionEventKind
from subscriptions.notifications import notify, subscription_link
from subscriptions.permissions import project_member_users
from subscriptions.services import subscription_event_record, subscription_events_record

from .choices import GrantBackend, GrantStatus

MANUAL_TASK_TOPIC = "MANUAL_GRANT"
GRANT_TOPIC = "GRANT"


def how_to_query(grant) -> dict:
    """How the consumer uses the grant: Athena workgroup, database, link and a ready
    query for Lake Formation; the schema-qualified name for Redshift."""
    target = grant.target or {}
    if grant.backend == GrantBackend.MANUAL:
        if grant.status == GrantStatus.GRANTED:
            return {"message": "Access was provided by the producing team."}
        return {"message": "Access is provided by the producing team."}
    if grant.status != GrantStatus.GRANTED:
        return {}
    if target.get("backend") == "LAKE_FORMATION" and target.get("resource_link"):
        link = target["resource_link"]
        return {
            "athena_workgroup": grant.environment.athena_workgroup,
            "database": link["database"],
            "table": link["name"],
            # Shown to a person to copy, never executed by the portal.
            "query": f'SELECT * FROM "{link["database"]}"."{link["name"]}" LIMIT 10',  # noqa: S608
        }
    if target.get("backend") == "REDSHIFT":
        return {
            "database": target["cluster"]["database"],
            "object": target["object"],
            "role": target["principals"][0],
            "query": f'SELECT * FROM "{target["schema"]}"."{target["table"]}" LIMIT 10',  # noqa: S608
        }
    return {}


def owners_of(project):
    """The project's OWNERs, named directly or through an SSO group."""
    return users_named_by(
        ProjectMembership.objects.filter(project_id=project.pk, designation=Designation.OWNER)
    )


# The outbox event each grant status announces (IN_PROGRESS states are the portal's own
# business: nothing a platform team acts on).
STATUS_EVENTS = {
    GrantStatus.PENDING: EventType.SUBSCRIPTION_GRANT_REQUESTED,
    GrantStatus.GRANTED: EventType.SUBSCRIPTION_GRANT_COMPLETED,
    GrantStatus.GRANT_FAILED: EventType.SUBSCRIPTION_GRANT_FAILED,
    GrantStatus.REVOKE_PENDING: EventType.SUBSCRIPTION_GRANT_REVOKE_REQUESTED,
    GrantStatus.REVOKED: EventType.SUBSCRIPTION_GRANT_REVOKE_COMPLETED,
    GrantStatus.REVOKE_FAILED: EventType.SUBSCRIPTION_GRANT_REVOKE_FAILED,
}


def grant_payload(grant) -> dict:
    """The ``subscription_grant.*`` payload: ids and the names a person (or a script that
    fulfils MANUAL grants) needs, without another API call."""
    subscription = grant.subscription
    listing = subscription.listing
    return {
        "grant": {
            "id": str(grant.pk),
            "backend": grant.backend,
            "status": grant.status,
            "failure_cause": grant.failure_cause or "",
        },
        "subscription": {"id": str(subscription.pk)},
        "asset": {"id": str(listing.asset_id), "name": listing.name},
        "environment": {"id": str(grant.environment_id), "name": grant.environment.name},
        "consumer_project": {"id": str(subscription.project_id), "name": subscription.project.name},
        "producer_project": {"id": str(listing.project_id), "name": listing.project.name},
    }


def announce(grant, *, acting_user=None) -> None:
    """Write the outbox event of the grant's current status, in the caller's transaction
    (the one that changed the status). Both projects see it; the domain is the producer's,
    where the shared asset lives."""
    announcement = _announcement(grant, acting_user)
    if announcement is not None:
        event_record(**announcement)


def _announcement(grant, acting_user=None) -> dict | None:
    event_type = STATUS_EVENTS.get(grant.status)
    if event_type is None:
        return None
    listing = grant.subscription.listing
    return {
        "event_type": event_type,
        "payload": grant_payload(grant),
        "domain_id": listing.project.domain_id,
        "project_ids": [grant.subscription.project_id, listing.project_id],
        "actor": acting_user,
    }


def _timeline_data(grant) -> dict:
    return {
        "grant": str(grant.pk),
        "environment": str(grant.environment_id),
        "status": grant.status,
        "backend": grant.backend,
    }


def record(
    grant,
    *,
    message: str,
    acting_user=None,
    notify_consumer: bool = False,
    status_changed: bool = True,
) -> None:
    """Timeline line (kind GRANT) and, when asked, the consumer project's notification.

    Every status change of a grant passes here, so here it is also announced in the
    outbox; callers that only add a line about a grant whose status stayed (extra roles,
    reconciliation) say ``status_changed=False``.
    """
    subscription = grant.subscription
    if status_changed:
        announce(grant, acting_user=acting_user)
    subscription_event_record(
        subscription=subscription,
        kind=SubscriptionEventKind.GRANT,
        acting_user=acting_user,
        message=message,
        data=_timeline_data(grant),
    )
    if notify_consumer:
        notify(
            project_member_users(subscription.project),
            kind=NotificationKind.EVENT,
            topic=GRANT_TOPIC,
            title=message[:255],
            body=message,
            link=subscription_link(subscription),
            email=grant.status == GrantStatus.GRANT_FAILED,
        )


def record_granted(grants) -> None:
    """``record`` for many grants that just became GRANTED (a batch): their outbox events,
    timeline lines and the consumer projects' notifications, one INSERT each, and one
    look-up of the people per consumer project. GRANTED sends no email."""
    grants = list(grants)
    messages = [granted_message(grant) for grant in grants]
    events_record(filter(None, (_announcement(grant) for grant in grants)))
    subscription_events_record(
        [
            {"subscription": grant.subscription, "message": message, "data": _timeline_data(grant)}
            for grant, message in zip(grants, messages, strict=True)
        ],
        kind=SubscriptionEventKind.GRANT,
    )
    people = {}
    for grant in grants:
        project = grant.subscription.project
        if project.pk not in people:
            people[project.pk] = list({u.pk: u for u in project_member_users(project)}.values())
    notifications_create_many(
        {
            "recipients": people[grant.subscription.project.pk],
            "kind": NotificationKind.EVENT,
            "topic": GRANT_TOPIC,
            "title": message,
            "body": message,
            "link": subscription_link(grant.subscription),
        }
        for grant, message in zip(grants, messages, strict=True)
    )


def granted_message(grant) -> str:
    query = how_to_query(grant)
    name = grant.subscription.listing.name
    where = grant.environment.name
    if "query" in query and "athena_workgroup" in query:
        return (
            f"Access to {name} is granted in environment {where}: query it in Athena "
            f"workgroup {query['athena_workgroup']} with {query['query']}"
        )
    if "query" in query:
        return f"Access to {name} is granted in environment {where}: {query['query']}"
    return f"Access to {name} in environment {where} was marked done by the producing team."


def ask_producers(grant, *, revoke: bool) -> None:
    """A TASK for the owning project's OWNERs: do (or undo) a MANUAL grant by hand."""
    subscription = grant.subscription
    listing = subscription.listing
    action = "Take away" if revoke else "Give"
    body = (
        f"{action} access to {listing.name} for project {subscription.project.name}, "
        f"environment {grant.environment.name}. "
        + ("" if revoke else f"{grant.manual_reason} ")
        + f"Then mark the grant {'REVOKED' if revoke else 'GRANTED'} on the subscription "
        f"page or with POST /api/v1/subscription-grants/{grant.pk}/status/."
    )
    notify(
        owners_of(listing.project),
        kind=NotificationKind.TASK,
        topic=MANUAL_TASK_TOPIC,
        title=f"{action} access to {listing.name} for {subscription.project.name}",
        body=body,
        link=f"{subscription_link(subscription)}#grant-{grant.pk}",
    )


def close_producer_tasks(grant) -> int:
    from projects.choices import TaskStatus
    from projects.models import Notification

    return Notification.objects.filter(
        kind=NotificationKind.TASK,
        topic=MANUAL_TASK_TOPIC,
        link=f"{subscription_link(grant.subscription)}#grant-{grant.pk}",
        task_status=TaskStatus.ACTIVE,
    ).update(task_status=TaskStatus.INACTIVE)
