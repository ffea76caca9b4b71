"""Pages of the webhooks app."""

from django.urls import path

from meshportal.routes import resource_paths

from . import views
from .eventbridge import views as eventbridge_views

urlpatterns = [
    path("projects/<uuid:pk>/webhooks/", views.project_webhooks, name="project-webhooks"),
    path("domains/<uuid:pk>/webhooks/", views.domain_webhooks, name="domain-webhooks"),
    # Endpoint pages keep the names they were first linked by (webhook-endpoint, …-rotate).
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
    *resource_paths(
        eventbridge_views,
        "event-bridge-targets",
        "event-bridge-target",
        ["list", "detail", "delete"],
    ),
    path(
        "event-bridge-targets/add/",
        eventbridge_views.event_bridge_target_add,
        name="event-bridge-target-add",
    ),
    path(
        "event-bridge-targets/<uuid:pk>/enabled/",
        eventbridge_views.event_bridge_target_toggle,
        name="event-bridge-target-toggle",
    ),
]
