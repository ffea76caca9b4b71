"""Routes of the webhooks and events API; meshportal/api/urls.py absorbs them."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
urlpatterns: list = []
