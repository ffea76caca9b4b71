"""What every glossary page module shares: page sizes, pagination, the form status."""

from django.core.paginator import Paginator

PAGE_SIZE = 25


TERM_PAGE_SIZE = 50


MAX_CSV_BYTES = 10 * 1024 * 1024


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _status(form, error):
    return 400 if form.is_bound and (form.errors or error) else 200
