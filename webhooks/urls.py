"""Pages of the webhooks app."""

from django.urls import path

from . import views

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
]
