from django.urls import path

from . import views

urlpatterns = [
    path("profile/tokens/", views.token_list, name="token-list"),
    path("profile/tokens/<uuid:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
