"""Peak memory of one asset edit in a domain with a big vocabulary (issue 9).

Builds a domain whose glossary has a 1 MB description and N terms (default 20,000, each
with a 2,000-character long description), then, in this process, makes one asset edit
through the page as a contributor would: GET the edit page (the term picker lists every
term) and POST a new business name (which re-suggests glossary terms from the domain's
term index). It prints the process's resident set size before, its peak during the edit
(psutil, sampled every 2 ms in a thread), the queries run and the text PostgreSQL sent
back, next to what the same requests fetched before the fix (every term's glossary row
with its description): that figure is computed in SQL, not fetched.

    .venv/bin/python bench/term_memory.py [N]
"""

import argparse
import gc

from _harness import PeakRss, bench_database  # noqa: I001

GLOSSARY_DESCRIPTION_CHARS = 1_000_000
TERM_DESCRIPTION_CHARS = 2_000


def build(terms: int):
    from glossary.models import Glossary, GlossaryTerm
    from projects.choices import Designation
    from tests.catalog.factories import AssetFactory, DataSourceFactory
    from tests.projects.factories import ProjectFactory, ProjectMembershipFactory, UserFactory

    user = UserFactory(username="bench-contributor")
    project = ProjectFactory(name="Big vocabulary")
    ProjectMembershipFactory(project=project, user=user, designation=Designation.CONTRIBUTOR)
    glossary = Glossary.objects.create(
        domain=project.domain, owning_project=project, name="Everything"
    )
    # Stored directly: the services refuse such a description now, old rows may have one.
    Glossary.objects.filter(pk=glossary.pk).update(description="d" * GLOSSARY_DESCRIPTION_CHARS)
    long = "l" * TERM_DESCRIPTION_CHARS
    for start in range(0, terms, 2_000):
        GlossaryTerm.objects.bulk_create(
            GlossaryTerm(
                glossary=glossary,
                name=f"Term {n}",
                short_description=f"What term {n} means.",
                long_description=long,
                synonyms=[f"synonym {n}", f"alias {n}"],
            )
            for n in range(start, min(start + 2_000, terms))
        )
    asset = AssetFactory(data_source=DataSourceFactory(project=project), columns=30)
    return user, asset


def old_fetch_chars(domain_id) -> int:
    """What one load of the domain's terms with select_related("glossary") fetched."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(length(g.description) + length(t.long_description)), 0) "
            "FROM glossary_glossaryterm t JOIN glossary_glossary g ON g.id = t.glossary_id "
            "WHERE g.domain_id = %s",
            [domain_id],
        )
        return cursor.fetchone()[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("terms", nargs="?", type=int, default=20_000)
    args = parser.parse_args()
    from django.db import reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.fetch_meter import fetch_meter

    with bench_database("bench_term_memory"):
        from django.db import connection

        user, asset = build(args.terms)
        client = Client()
        client.force_login(user)
        url = reverse("asset-edit", args=[asset.pk])
        client.get(url)  # warm up: templates, URL resolver, code paths
        gc.collect()
        reset_queries()
        mb = 1024 * 1024
        with PeakRss(interval=0.002) as rss:
            before = rss.peak
            page = client.get(url)
            saved = client.post(url, {"business_name": "Term 7", "description": ""})
        assert page.status_code == 200 and saved.status_code == 302, (page, saved)
        with CaptureQueriesContext(connection) as queries, fetch_meter() as meter:
            client.get(url)
            client.post(url, {"business_name": "Term 8", "description": ""})
        print(f"terms in the domain        {args.terms:,}")
        print(f"glossary description       {GLOSSARY_DESCRIPTION_CHARS:,} characters")
        print(f"RSS before the edit        {before / mb:8.1f} MB")
        print(f"peak RSS during the edit   {rss.peak / mb:8.1f} MB")
        print(f"growth                     {(rss.peak - before) / mb:8.1f} MB")
        print(f"queries (GET + POST)       {len(queries.captured_queries)}")
        print(f"text fetched (GET + POST)  {meter.bytes_fetched / mb:8.1f} MB")
        old = old_fetch_chars(asset.domain_id)
        print(f"before the fix, ONE load of the terms fetched {old / mb:,.0f} MB of descriptions")


if __name__ == "__main__":
    main()
