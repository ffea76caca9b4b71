"""htmx helpers shared by every app's pages.

A new app's view that can answer with a fragment::

    from meshportal.htmx import is_htmx_partial

    template = "myapp/_panel.html" if is_htmx_partial(request) else "myapp/detail.html"
"""


def is_htmx_partial(request) -> bool:
    """An htmx request that wants a fragment (not a boosted full-page navigation).

    As in NetBox's utilities/htmx.py: the server, not the client, picks partial or full.
    """
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    )
