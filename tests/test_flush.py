"""The suite's flush between transactional tests (tests/conftest.py `_flush_by_delete`):
DELETE in one transaction leaves every table empty, rows tied by foreign keys included;
and the test database's commits do not wait for the disk."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.management.sql import sql_flush
from django.db import connection

from projects.choices import Designation
from tests.catalog.factories import AssetFactory, ListingFactory
from tests.projects.factories import ProjectFactory, ProjectMembershipFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_flush_deletes_every_row_including_rows_tied_by_foreign_keys():
    owner = UserFactory()
    project = ProjectFactory()
    ProjectMembershipFactory(project=project, user=owner, designation=Designation.OWNER)
    ListingFactory(asset=AssetFactory(data_source__project=project, columns=2))
    # As TransactionTestCase flushes: sequences are not reset.
    statements = sql_flush(no_style(), connection, reset_sequences=False)
    assert statements[0] == "SET CONSTRAINTS ALL DEFERRED;"
    assert all(s.startswith("DELETE FROM ") for s in statements[1:])

    call_command(
        "flush", verbosity=0, interactive=False, reset_sequences=False, inhibit_post_migrate=True
    )

    left = {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    assert left and not any(left.values()), {k: v for k, v in left.items() if v}


@pytest.mark.django_db(transaction=True)
def test_a_flush_that_resets_sequences_still_truncates():
    statements = sql_flush(no_style(), connection, reset_sequences=True)
    assert statements[0].startswith("TRUNCATE ") and "RESTART IDENTITY" in statements[0]


@pytest.mark.django_db(transaction=True)
def test_the_test_database_commits_without_waiting_for_the_disk():
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("off",)
