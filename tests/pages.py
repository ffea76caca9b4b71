"""Reading a page's answer in tests: its HTML, its flash messages, and an HTMX partial."""


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def htmx_partial(client, url: str, template: str, element_id: str) -> str:
    """GET ``url`` as HTMX does and check the answer is only ``template``'s fragment (the
    element ``element_id``, no layout around it); its HTML."""
    partial = client.get(url, headers={"HX-Request": "true"})
    html = text(partial)
    assert [t.name for t in partial.templates][0] == template
    assert html.lstrip().startswith(f'<div id="{element_id}"')
    assert "<html" not in html and 'aria-label="Main"' not in html
    return html
