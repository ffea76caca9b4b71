from django.urls import path

from . import views

urlpatterns = [
    path("subscription-grants/<uuid:pk>/retry/", views.grant_retry, name="grant-retry"),
    path("subscription-grants/<uuid:pk>/status/", views.grant_status, name="grant-status"),
]
