"""Routes of the webhooks and events API; meshportal/api/urls.py absorbs them."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .events import EventFeedView

router = SimpleRouter()
urlpatterns: list = [
    path("events/", EventFeedView.as_view(), name="event-feed"),
]
