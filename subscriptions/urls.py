"""Page URLs of the subscriptions app (the API's are in subscriptions/api/urls.py)."""

from django.urls import path

from meshportal.routes import resource_paths

from . import views

urlpatterns = [
    path("subscriptions/", views.overview, name="subscriptions"),
    path("subscriptions/email/", views.email_preference, name="subscription-email"),
    *resource_paths(views, "subscriptions", "subscription", ["detail", "revoke", "cancel"]),
    *resource_paths(
        views,
        "subscription-requests",
        "subscription-request",
        ["detail", "accept", "reject", "cancel"],
        view_prefix="request",
    ),
    path("listings/<uuid:pk>/subscribe/", views.listing_subscribe, name="listing-subscribe"),
]
