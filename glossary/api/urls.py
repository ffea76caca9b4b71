"""Routes of the glossary API; meshportal/api/urls.py absorbs ``router`` into /api/v1/.

Route names start with ``api-`` (``api-glossary-detail``), as in the projects API, so
they never clash with the pages' names (``glossary-detail``).
"""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("glossaries", views.GlossaryViewSet, basename="api-glossary")
router.register("glossary-terms", views.GlossaryTermViewSet, basename="api-glossary-term")
router.register("form-types", views.FormTypeViewSet, basename="api-form-type")
router.register("publishing-rules", views.PublishingRuleViewSet, basename="api-publishing-rule")

urlpatterns: list = []
