"""Platform setup in Chromium at desktop (1366×900) and phone (390×844) widths: a
platform admin creates a domain, associates an AWS account and checks the portal's
access there (moto's multi-account server: the assumed role's account answers), creates
a data lake profile through typed fields, and reads every project of the platform.
"""

import pytest
from playwright.sync_api import expect

from projects.models import AwsAccount, Domain, EnvironmentProfile
from tests.projects.factories import ProjectFactory
from tests.sharing.conftest import multi_account_moto_server, two_accounts  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [pytest.param((1366, 900), id="desktop"), pytest.param((390, 844), id="phone")]
ROLE = "arn:aws:iam::111111111111:role/MeshPortal"


def no_horizontal_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def check(page, account_id: str):
    """Press "Check access" on the account's entry and return its report."""
    entry = page.locator(f'[data-account="{account_id}"]')
    report = entry.get_by_test_id("access-report")
    before = report.get_attribute("data-checked-at") if report.count() else None
    entry.get_by_role("button", name="Check access").click()
    # A check makes a dozen AWS calls (moto starts an account's services on first use):
    # wait for the new answer as a person would, while the button says "Checking…".
    if before is None:
        expect(report).to_be_visible(timeout=60_000)
    else:
        expect(report).not_to_have_attribute("data-checked-at", before, timeout=60_000)
    expect(entry.get_by_role("button", name="Check access")).to_be_enabled()
    return report


def result(report, key: str):
    return report.locator(f'[data-check="{key}"]')


@pytest.mark.parametrize("viewport", WIDTHS)
def test_admin_sets_up_a_domain_and_checks_access(
    viewport,
    live_server,
    page,
    login,
    platform_admin,
    two_accounts,  # noqa: F811
):
    width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    login(platform_admin)

    page.get_by_test_id("nav-platform").click()
    expect(page.get_by_role("heading", name="Platform", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="No domains yet")).to_be_visible()
    page.get_by_role("link", name="Create domain").first.click()
    page.get_by_label("Name").fill("streaming")
    page.get_by_label("Description").fill("Films and series.")
    page.get_by_role("button", name="Create domain").click()

    expect(page.get_by_role("heading", name="streaming", exact=True)).to_be_visible()
    expect(page.get_by_text("Domain “streaming” created. You are its owner.")).to_be_visible()
    expect(page.get_by_text("No AWS account yet.")).to_be_visible()
    no_horizontal_scroll(page, width)

    # Associate the account: a wrong id and a role of another account are both reported.
    page.get_by_role("link", name="Associate account").click()
    page.get_by_label("AWS account id").fill("1111")
    page.get_by_label("Role ARN").fill("arn:aws:iam::222222222222:role/MeshPortal")
    page.get_by_role("button", name="Associate account").click()
    expect(page.get_by_text("An AWS account id is exactly 12 digits")).to_be_visible()
    expect(page.get_by_label("AWS account id")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Role ARN")).to_have_value("arn:aws:iam::222222222222:role/MeshPortal")
    page.get_by_label("AWS account id").fill("111111111111")
    page.get_by_role("button", name="Associate account").click()
    expect(page.get_by_text("The role must belong to account 111111111111")).to_be_visible()
    page.get_by_label("Role ARN").fill(ROLE)
    page.get_by_role("button", name="Associate account").click()
    expect(page.get_by_text("Account 111111111111 associated with streaming.")).to_be_visible()
    assert AwsAccount.objects.get().role_arn == ROLE

    # Check access: what works, what needs attention and why, what was not tried yet.
    report = check(page, "111111111111")
    expect(report).to_contain_text("The portal can work in account 111111111111.")
    expect(result(report, "assume_role")).to_contain_text("Works")
    expect(result(report, "assume_role")).to_contain_text(f"Assumed {ROLE}.")
    expect(result(report, "glue")).to_contain_text("Works")
    expect(result(report, "lf_settings")).to_contain_text("Needs attention")
    expect(result(report, "lf_settings")).to_contain_text(
        "the role MeshPortal is not a data lake administrator"
    )
    expect(result(report, "s3")).to_contain_text("Not tried")
    no_horizontal_scroll(page, width)

    # A data lake profile through typed fields; a missing bucket is named next to its field.
    page.get_by_role("link", name="Add data lake profile").click()
    expect(page.get_by_label("S3 bucket")).to_be_visible()
    expect(page.get_by_label("Host")).to_have_count(0)  # no warehouse fields on a lake
    page.get_by_label("Name").fill("DataLakeProfile")
    page.get_by_role("button", name="Add profile").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    bucket = page.get_by_label("S3 bucket")
    expect(bucket).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_s3_bucket_errors")).to_have_text(
        "A DATA_LAKE profile needs 's3_bucket', the S3 bucket that holds the environments' data."
    )
    expect(page.get_by_label("Name")).to_have_value("DataLakeProfile")  # input kept
    assert not EnvironmentProfile.objects.exists()
    no_horizontal_scroll(page, width)

    bucket.fill("meshportal-environments")
    page.get_by_role("button", name="Add profile").click()
    expect(page.get_by_text("Environment profile “DataLakeProfile” created")).to_be_visible()
    row = page.locator('[data-profile="DataLakeProfile"]')
    expect(row).to_contain_text("meshportal-environments")
    assert EnvironmentProfile.objects.get().parameters == {"s3_bucket": "meshportal-environments"}

    # The bucket does not exist in the account yet: the check says so, and why.
    report = check(page, "111111111111")
    expect(report).to_contain_text("Some checks failed in account 111111111111.")
    failed = result(report, "s3:meshportal-environments")
    expect(failed).to_contain_text("Failed")
    expect(failed).to_contain_text(
        "Bucket meshportal-environments (named by profile DataLakeProfile) does not exist in "
        "account 111111111111. Create it or correct the profile."
    )
    expect(result(report, "glue")).to_contain_text("Works")
    no_horizontal_scroll(page, width)

    # Created in the account, the next check finds it.
    two_accounts.client_in("111111111111", "s3").create_bucket(Bucket="meshportal-environments")
    report = check(page, "111111111111")
    expect(result(report, "s3:meshportal-environments")).to_contain_text(
        "Reachable (profile DataLakeProfile)."
    )


@pytest.mark.parametrize("viewport", WIDTHS)
def test_admin_sees_every_project_and_counts_lead_to_them(
    viewport, live_server, page, login, platform_admin, project, profile
):
    width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    ProjectFactory(domain=Domain.objects.create(name="finance"), name="Ledger")
    login(platform_admin)

    page.get_by_test_id("nav-platform").click()
    row = page.locator('[data-domain="streaming"]')
    row.get_by_role("link", name="1 project of streaming").click()

    expect(page.get_by_role("link", name="Film Catalog Project", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Ledger")).to_have_count(0)  # filtered by domain
    expect(page.get_by_text("Platform admin", exact=True)).to_be_visible()
    no_horizontal_scroll(page, width)

    page.get_by_role("link", name="Film Catalog Project", exact=True).click()
    expect(page.get_by_test_id("seen-as")).to_have_text("Platform admin — read-only")
    expect(page.get_by_test_id("admin-read-only")).to_be_visible()
    expect(page.get_by_role("button", name="Add member")).to_have_count(0)
    expect(page.get_by_role("link", name="Create environment")).to_have_count(0)
    expect(page.get_by_role("cell", name="film-catalog-team-admin")).to_be_visible()
    no_horizontal_scroll(page, width)
