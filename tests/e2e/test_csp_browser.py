"""Under the Content-Security-Policy the pages' own scripts still work and the browser
reports no violation (issue 9): the form builder's "Add field" (its script moved out of
the page) and the API docs (Swagger UI's split view)."""

from tests.glossary.factories import GlossaryFactory


def test_pages_work_under_the_policy(live_server, page, login, steward, project):
    GlossaryFactory(owning_project=project)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    login(steward)
    page.goto(f"{live_server.url}/forms/new/")
    rows = page.locator("tr.field-row")
    before = rows.count()
    page.get_by_role("button", name="+ Add field").click()
    assert rows.count() == before + 1
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Mesh Portal API" in page.locator(".swagger-ui .info .title").inner_text()
    assert violations == []
