"""Forms and long names in Chromium at desktop (1366×900) and phone (390×844) widths:
a cron that never fires is a message next to the field, every error shows at once, an
over-long value is kept and counted rather than cut, and a 256-character name without
spaces wraps instead of widening the page."""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import DataSource
from tests.projects.factories import EnvironmentFactory

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [pytest.param((1366, 900), id="desktop"), pytest.param((390, 844), id="phone")]
LONG_NAME = "x" * 256


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def too_wide(page, width: int) -> list[str]:
    """The innermost elements reaching past the viewport (for the failure message)."""
    return page.evaluate(
        """(width) => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > width + 1
                && !Array.from(e.children).some(c => c.getBoundingClientRect().right > width + 1))
            .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
        width,
    )


@pytest.mark.parametrize("viewport", WIDTHS)
def test_every_error_at_once_and_an_over_long_name_is_counted_not_cut(
    live_server, page, login, owner, project, profile, viewport
):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    EnvironmentFactory(project=project, profile=profile, name="Film Datasets S3")
    login(owner)
    page.goto(f"{live_server.url}/projects/{project.pk}/data-sources/new/")

    name = page.get_by_label("Name", exact=True)
    counter = page.locator("#id_name_counter")
    name.fill("films")
    expect(counter).to_be_hidden()  # far from the limit: no counter
    name.fill("y" * 300)
    expect(name).to_have_value("y" * 300)  # not cut at 256
    expect(counter).to_be_visible()
    expect(counter).to_have_text("300 / 256 characters: 44 too many")
    page.get_by_label("Database").fill("curatedzonedb")
    page.get_by_label("Table filters").fill("INCLUDE *\nkeep film_*")
    page.get_by_label(re.compile(r"^Schedule")).fill("0 0 31 2 *")
    page.get_by_role("button", name="Add data source").click()

    # One submission reports all three problems, each next to its field.
    expect(page.locator("#id_name_errors")).to_contain_text("at most 256 characters")
    expect(page.locator("#id_filters_errors")).to_contain_text("Line 2")
    expect(page.locator("#id_schedule_errors")).to_contain_text(
        "'0 0 31 2 *' never fires: no date matches it"
    )
    expect(page.get_by_label(re.compile(r"^Schedule"))).to_have_value("0 0 31 2 *")
    expect(name).to_have_value("y" * 300)
    expect(counter).to_have_text("300 / 256 characters: 44 too many")
    assert not DataSource.objects.exists()

    # Fixing the three saves it; the 256-character name wraps on every page showing it.
    name.fill(LONG_NAME)
    expect(counter).to_have_text("256 / 256 characters")
    page.get_by_label("Table filters").fill("INCLUDE *")
    page.get_by_label(re.compile(r"^Schedule")).fill("0 2 * * *")
    page.get_by_role("button", name="Add data source").click()
    expect(page.get_by_role("heading", name=LONG_NAME)).to_be_visible()
    assert DataSource.objects.get().name == LONG_NAME
    for path in ("", f"/projects/{project.pk}/", f"/projects/{project.pk}/inventory/"):
        if path:
            page.goto(f"{live_server.url}{path}")
        assert page_width(page) <= viewport[0], (page.url, too_wide(page, viewport[0]))
        # Every element showing the name is narrower than the viewport (it wraps).
        widths = page.evaluate(
            """(name) => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.children.length === 0 && e.textContent.includes(name))
                .map(e => e.getBoundingClientRect().width)""",
            LONG_NAME,
        )
        assert widths and max(widths) <= viewport[0], (page.url, widths)
