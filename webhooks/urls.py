"""Pages of the webhooks app."""

from django.urls import path

from .eventbridge import views as eventbridge_views

urlpatterns: list = [
    path(
        "event-bridge-targets/",
        eventbridge_views.event_bridge_target_list,
        name="event-bridge-target-list",
    ),
    path(
        "event-bridge-targets/add/",
        eventbridge_views.event_bridge_target_add,
        name="event-bridge-target-add",
    ),
    path(
        "event-bridge-targets/<uuid:pk>/",
        eventbridge_views.event_bridge_target_detail,
        name="event-bridge-target-detail",
    ),
    path(
        "event-bridge-targets/<uuid:pk>/enabled/",
        eventbridge_views.event_bridge_target_toggle,
        name="event-bridge-target-toggle",
    ),
    path(
        "event-bridge-targets/<uuid:pk>/delete/",
        eventbridge_views.event_bridge_target_delete,
        name="event-bridge-target-delete",
    ),
]
