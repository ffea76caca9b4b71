"""The inbox: notifications, reading one, marking all read."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from .. import selectors, services
from ..filters import NotificationFilterSet
from .helpers import page_of, safe_local_url

NOTIFICATION_TABS = [
    ("all", "All", {}),
    ("unread", "Unread", {"unread": "true"}),
    ("tasks", "Open tasks", {"kind": "TASK", "task_status": "ACTIVE"}),
]


def _notification_tab(params) -> str:
    for key, _label, query in reversed(NOTIFICATION_TABS):
        if query and all(params.get(k) == v for k, v in query.items()):
            return key
    return "all"


@require_safe
def notification_list(request):
    filterset = NotificationFilterSet(
        request.GET or None, queryset=selectors.notification_list(user=request.user)
    )
    page = page_of(request, filterset.qs)
    current = _notification_tab(request.GET)
    tabs = [
        {"key": key, "label": label, "query": query, "current": key == current}
        for key, label, query in NOTIFICATION_TABS
    ]
    return render(
        request,
        "projects/notification_list.html",
        {"filterset": filterset, "page": page, "tabs": tabs, "tab": current},
    )


@require_POST
def notification_read(request, pk):
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(acting_user=request.user, notification=notification)
    if safe_local_url(notification.link):
        return redirect(notification.link)
    return redirect("notification-list")


@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(acting_user=request.user)
    if count:
        messages.success(
            request, f"Marked {count} notification{'s' if count != 1 else ''} as read."
        )
    else:
        messages.info(request, "Nothing to mark: every notification was already read.")
    next_url = request.POST.get("next", "")
    return redirect(next_url if safe_local_url(next_url) else "notification-list")
