"""Pages of the webhooks app."""

from django.urls import path

from . import views
from .eventbridge import views as eventbridge_views

urlpatterns = [
    path("projects/<uuid:pk>/webhooks/", views.project_webhooks, name="project-webhooks"),
    path("domains/<uuid:pk>/webhooks/", views.domain_webhooks, name="domain-webhooks"),
    path("webhooks/<uuid:pk>/", views.endpoint_detail, name="webhook-endpoint"),
    path("webhooks/<uuid:pk>/test/", views.endpoint_test, name="webhook-endpoint-test"),
    path(
        "webhooks/<uuid:pk>/rotate-secret/", views.endpoint_rotate, name="webhook-endpoint-rotate"
    ),
    path("webhooks/<uuid:pk>/enabled/", views.endpoint_toggle, name="webhook-endpoint-toggle"),
    path("webhooks/<uuid:pk>/delete/", views.endpoint_delete, name="webhook-endpoint-delete"),
    path(
        "webhook-deliveries/<uuid:pk>/redeliver/",
        views.delivery_redeliver,
        name="webhook-delivery-redeliver",
    ),
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
