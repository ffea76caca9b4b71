"""Page URLs of the subscriptions app (the API's are in subscriptions/api/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("subscriptions/", views.overview, name="subscriptions"),
    path("subscriptions/email/", views.email_preference, name="subscription-email"),
    path("subscriptions/<uuid:pk>/", views.subscription_detail, name="subscription-detail"),
    path("subscriptions/<uuid:pk>/revoke/", views.subscription_revoke, name="subscription-revoke"),
    path("subscriptions/<uuid:pk>/cancel/", views.subscription_cancel, name="subscription-cancel"),
    path(
        "subscription-requests/<uuid:pk>/",
        views.request_detail,
        name="subscription-request-detail",
    ),
    path(
        "subscription-requests/<uuid:pk>/accept/",
        views.request_accept,
        name="subscription-request-accept",
    ),
    path(
        "subscription-requests/<uuid:pk>/reject/",
        views.request_reject,
        name="subscription-request-reject",
    ),
    path(
        "subscription-requests/<uuid:pk>/cancel/",
        views.request_cancel,
        name="subscription-request-cancel",
    ),
    path("listings/<uuid:pk>/subscribe/", views.listing_subscribe, name="listing-subscribe"),
]
