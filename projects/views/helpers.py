"""What the project pages share: paging, the user's designation, safe redirects."""

from django.core.paginator import Paginator
from django.utils.http import url_has_allowed_host_and_scheme

from ..choices import Designation

PAGE_SIZE = 25
HOME_LIST_SIZE = 8


def designation_of(project) -> Designation | None:
    """The user's designation from the selector's annotation (no extra query)."""
    value = getattr(project, "my_designation", None)
    return Designation(value) if value else None


def page_of(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def safe_local_url(url: str) -> bool:
    """Only same-site relative paths: "/projects/…", never "//host" or "https://…"."""
    return (
        bool(url)
        and url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts=set())
    )
