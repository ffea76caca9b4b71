"""The Access section of the subscription page (grant status per environment, how to
query, and what the viewer may do: retry a failed grant, report a MANUAL one) and the
Roles section of the environment page (its extra IAM roles; OWNERs add and remove)."""

from django import template

from projects.choices import Designation
from projects.permissions import project_designation

from ..choices import MANUAL_TRANSITIONS, GrantBackend, GrantStatus
from ..events import how_to_query
from ..models import EnvironmentRole, SubscriptionGrant
from ..selectors import grants_of_subscription
from ..services import EXTRA_ROLES_MAX

register = template.Library()


@register.inclusion_tag("sharing/_access.html", takes_context=True)
def subscription_access(context, subscription):
    user = context["request"].user
    consumer_owner = project_designation(user, subscription.project) == Designation.OWNER
    producer_owner = project_designation(user, subscription.listing.project) == Designation.OWNER
    rows = []
    for grant in grants_of_subscription(subscription=subscription):
        failed = grant.status in {GrantStatus.GRANT_FAILED, GrantStatus.REVOKE_FAILED}
        manual = grant.backend == GrantBackend.MANUAL
        rows.append(
            {
                "grant": grant,
                "how": how_to_query(grant),
                "can_retry": failed and not manual and (consumer_owner or producer_owner),
                "can_report": manual and producer_owner,
                "next_statuses": [
                    status
                    for status, sources in MANUAL_TRANSITIONS.items()
                    if grant.status in sources
                ],
            }
        )
    return {
        "subscription": subscription,
        "rows": rows,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def grants_by_subscription(subscriptions) -> dict:
    """``{subscription id: [grants]}`` for a list of subscriptions the page already shows
    (so already visible to the user), with their environments: one query however many.
    Lets a page of another app show access per environment without that app knowing
    about grants (the project page's "Data this project uses")."""
    ids = [subscription.pk for subscription in subscriptions]
    found: dict = {pk: [] for pk in ids}
    if ids:
        for grant in (
            SubscriptionGrant.objects.filter(subscription_id__in=ids)
            .select_related("environment")
            .order_by("environment__name", "created_at")
        ):
            found[grant.subscription_id].append(grant)
    return found


@register.filter
def grants_of(grants_by_id, subscription):
    """``{{ grants|grants_of:subscription }}``: that subscription's grants ([] if none)."""
    return grants_by_id.get(subscription.pk, [])


@register.inclusion_tag("sharing/_environment_roles.html", takes_context=True)
def environment_roles(context, environment, designation=None):
    """The environment's extra roles (its page already decided the user may see it)."""
    roles = list(
        EnvironmentRole.objects.filter(environment=environment)
        .select_related("added_by")
        .order_by("created_at")
    )
    return {
        "environment": environment,
        "roles": roles,
        # Platform admins read every environment but change only what they are OWNER of.
        "can_manage": designation == Designation.OWNER,
        "full": len(roles) >= EXTRA_ROLES_MAX,
        "limit": EXTRA_ROLES_MAX,
        "csrf_token": context.get("csrf_token"),
    }
