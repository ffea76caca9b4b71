"""Whether Lake Formation manages a table: its S3 location lies under a registered one.

Asked by every Lake Formation grant; the registered locations of an account are
remembered for a minute (SHARING_LOCATIONS_CACHE_SECONDS), because registrations change
rarely and the look-up is one more AWS call per grant.
"""

from meshportal import aws

from .base import AccountRef, Backoff
from .lakeformation import _Context


def _s3_path(location: str) -> str:
    """``s3://b/p/`` and ``arn:aws:s3:::b/p`` both become ``b/p`` (no trailing slash)."""
    path = location.removeprefix("s3://")
    if path.startswith("arn:"):
        path = path.split(":::", 1)[-1]
    return path.strip("/")


def location_is_under(location: str, registered: str) -> bool:
    """Whether an S3 location lies at or below a registered one (on a path boundary:
    ``s3://b/sales`` is not under ``s3://b/sal``)."""
    path, base = _s3_path(location), _s3_path(registered)
    return bool(path) and bool(base) and (path == base or path.startswith(base + "/"))


def registered_location(account: AccountRef, location: str, *, backoff: Backoff | None = None):
    """The Lake Formation registered location that ``location`` lies under, or None.

    A table is managed by Lake Formation exactly when its data lies under a registered
    location; otherwise IAM and S3 policies govern it and a grant must be MANUAL. Every
    grant asks, and registrations change rarely, so the list is remembered per account
    and region for LOCATIONS_CACHE_SECONDS; a "no" is never trusted from memory (the
    list is fetched again), so a location registered a moment ago is seen at once.
    """
    from django.conf import settings

    context = _Context(account, backoff or Backoff())
    key = ("lakeformation:registered", account.account_id, account.region, account.role_arn)
    seconds = settings.SHARING_LOCATIONS_CACHE_SECONDS
    for fresh in (False, True):
        if fresh:
            aws.forget_answer(key)
        arns = aws.remembered(key, seconds, lambda: _registered_arns(context))
        for arn in arns:
            if location_is_under(location, arn):
                return arn
    return None


def _registered_arns(context: _Context) -> tuple[str, ...]:
    arns, token = [], None
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = context.call(
            "lakeformation", "list_resources", "Listing Lake Formation locations", **kwargs
        )
        arns += [resource["ResourceArn"] for resource in page.get("ResourceInfoList", [])]
        token = page.get("NextToken")
        if not token:
            return tuple(arns)
