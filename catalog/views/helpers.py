"""What every catalog page module shares: page sizes, pagination, the user's rights."""

from django.core.paginator import Paginator

from projects.permissions import project_designation

RUN_PAGE_SIZE = 25


ACTIVITY_PAGE_SIZE = 50


INVENTORY_PAGE_SIZE = 50


REVISION_PAGE_SIZE = 20


def _page(request, queryset, size, param="page"):
    return Paginator(queryset, size).get_page(request.GET.get(param))


def _permissions(user, project) -> dict:
    designation = project_designation(user, project)
    return {"designation": designation, "can_edit": bool(designation and designation.can_edit)}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
