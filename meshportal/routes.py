"""The pages' URL scheme, written once: each app's ``urls.py`` lists its resources.

A resource's pages live below its collection path and are named after it: the URL name
``<name>-<action>`` is served by the view ``<name>_<action>`` (hyphens as underscores).
Pages that do not follow the scheme (nested below another resource, older names kept
for links people saved) stay plain ``path()`` calls next to it.
"""

from django.urls import path

# Where the standard actions live below the collection; any other action is a page of
# one object, at ``<uuid:pk>/<action>/``.
STANDARD_ROUTES = {"list": "", "create": "new/", "detail": "<uuid:pk>/"}


def resource_paths(
    views,
    collection: str,
    name: str,
    actions: list[str],
    *,
    view_prefix: str = "",
    create_under: str = "",
):
    """The ``path()`` of each action of one resource, in the order given.

    ``resource_paths(views, "glossaries", "glossary", ["list", "create", "detail", "edit"])``
    is ``glossaries/`` (``views.glossary_list``, named ``glossary-list``),
    ``glossaries/new/`` (``glossary_create``), ``glossaries/<uuid:pk>/``
    (``glossary_detail``) and ``glossaries/<uuid:pk>/edit/`` (``glossary_edit``). An
    action may have a slash: ``columns/edit`` is ``asset_columns_edit``, named
    ``asset-columns-edit``. ``view_prefix`` names the views when they do not start with
    the URL name (``request_detail`` serves ``subscription-request-detail``).
    ``create_under`` is where a new one is made when it belongs to a parent object
    (``projects/<uuid:pk>/data-sources`` gives ``projects/<uuid:pk>/data-sources/new/``).
    """
    view_prefix = view_prefix or name.replace("-", "_")
    patterns = []
    for action in actions:
        slug = action.replace("/", "-")
        view = getattr(views, f"{view_prefix}_{slug.replace('-', '_')}")
        route = f"{collection}/" + STANDARD_ROUTES.get(action, f"<uuid:pk>/{action}/")
        if action == "create" and create_under:
            route = f"{create_under}/new/"
        patterns.append(path(route, view, name=f"{name}-{slug}"))
    return patterns
