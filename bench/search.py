"""How fast catalog search answers, at N published listings (default 100,000).

Generates N listings with a realistic vocabulary (business words with a Zipf-like
frequency: the commonest word is in almost every listing, a "common" one in about a
third, a "rare" one in a few hundred per 100,000; about 75 words a listing across names,
description, columns, terms and form values; five domains, twenty projects, 250 glossary
terms; 5 % of the listings INACTIVE), loads them with COPY and builds the search vectors
in SQL — with the portal's own expression (catalog.search.documents) — in batches on two
connections, then creates the indexes and runs ANALYZE.

Then, for a fixed set of queries, it measures

  API  ``GET /api/v1/search/`` through Django's test client (in process: no HTTP server,
       no network; URL routing, DRF, authentication, parameter parsing, the search and
       JSON rendering are all in), and
  SQL  the very statements that request ran, replayed straight on a psycopg2 connection
       (the baseline: what Postgres itself needs),

and prints p50/p95 of each, the ratio API ÷ SQL, and the number of SQL queries per
search. The benchmark uses its own database (bench/_harness.bench_database), dropped
at the end.

It then measures the navigation box's suggestions (``/search/suggest/``): wall time, CPU
per request of Django and of PostgreSQL, the time the machine's load added, and the
statement alone on SQL (bench/_suggest.py). ``--suggest-only`` builds a catalog of names
and terms only (what suggestions read; several times faster to build at a million) and
measures only them; ``--keep`` keeps each database and reuses it next time, so a rerun
after a change costs seconds:

    .venv/bin/python bench/search.py [N ...] [--runs R] [--explain] [--suggest-only] [--keep]
    .venv/bin/python bench/search.py 100000 1000000 --suggest-only --keep
"""

import argparse
import csv
import io
import json
import math
import os
import random
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

from _harness import bench_database, percentile  # noqa: I001
from _suggest import measure_suggestions

SEED = 20240501
DOMAINS = ["streaming", "retail", "finance", "logistics", "healthcare"]
PROJECTS_PER_DOMAIN = 4
TERMS_PER_DOMAIN = 50
ASSET_TYPES = ["GLUE_TABLE", "GLUE_TABLE", "GLUE_VIEW", "REDSHIFT_TABLE", "REDSHIFT_VIEW"]
REFRESH = ["Daily", "Hourly", "Weekly", "Monthly"]
TEAMS = [
    f"Team {name}" for name in "Amber Birch Cedar Dune Elm Fern Grove Heath Iris Juniper".split()
]
PHRASE = "net revenue per store"  # in 2 % of descriptions, for the phrase query
LOAD_BATCH = 25_000

# The commonest words first: business vocabulary, then a long tail of made-up words
# (product codes, names) so that ranks run to VOCABULARY_SIZE.
BUSINESS_WORDS = """
customer order product revenue store date amount total account daily sales item price
payment invoice status region country monthly report supplier transaction quantity
stock warehouse shipment delivery carrier balance ledger budget cost forecast margin
profit discount promotion campaign channel marketing session device user subscriber
stream film movie category genre rating review title episode season playlist track
artist album license territory studio contract employee department payroll salary
expense claim travel vendor purchase return refund loyalty points member tier segment
value lifetime churn retention cohort funnel conversion click impression visit page
event log metric dimension fact snapshot history audit change version source target
patient encounter diagnosis procedure medication prescription lab result ward bed
staff shift roster vaccine trial consent clinic hospital physician nurse insurance
policy premium risk fraud alert score model prediction feature label training sample
inventory replenishment demand supply route van fleet fuel distance zone rate tariff
tax currency exchange fiscal quarter year week hour minute timestamp identifier code
name description type flag indicator count average median percentile minimum maximum
""".split()
VOCABULARY_SIZE = 5000


def vocabulary(rng) -> list[str]:
    words, seen = list(BUSINESS_WORDS), set(BUSINESS_WORDS)
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    while len(words) < VOCABULARY_SIZE:
        syllables = rng.randint(2, 4)
        word = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Generator:
    """Listing texts drawn from the vocabulary with P(rank r) ∝ 1/r."""

    def __init__(self, rng, words, terms_by_domain, light=False):
        self.rng, self.words, self.terms, self.light = rng, words, terms_by_domain, light
        weights = [math.log((r + 1) / r) for r in range(1, len(words) + 1)]
        self.cum, total = [], 0.0
        for w in weights:
            total += w
            self.cum.append(total)

    def listing(self, n: int, domain_index: int) -> dict:
        rng = self.rng
        if self.light:  # names and terms only: all that suggestions read
            pool = iter(rng.choices(self.words, cum_weights=self.cum, k=4))
            name_words = [next(pool) for _ in range(rng.randint(2, 4))]
            domain_terms = self.terms[domain_index]
            return {
                "business": " ".join(w.capitalize() for w in name_words),
                "technical": "_".join(name_words) + f"_{n}",
                "description": "",
                "columns": [],
                "terms": rng.sample(domain_terms, k=rng.choice([0, 1, 1, 2, 2, 3, 4])),
                "forms": {},
            }
        n_columns = rng.randint(5, 9)
        # One draw for every word of the listing (~75), handed out in order.
        pool = iter(rng.choices(self.words, cum_weights=self.cum, k=4 + 28 + 2 * 9 + 6 * 9))
        name_words = [next(pool) for _ in range(rng.randint(2, 4))]
        business = " ".join(w.capitalize() for w in name_words)
        technical = "_".join(name_words) + f"_{n}"
        description = " ".join(next(pool) for _ in range(rng.randint(18, 28)))
        if rng.random() < 0.02:
            description = f"{description} {PHRASE}"
        columns = []
        for _ in range(n_columns):
            parts = [next(pool) for _ in range(rng.randint(1, 2))]
            column_description = (
                " ".join(next(pool) for _ in range(rng.randint(3, 6))) if rng.random() < 0.5 else ""
            )
            columns.append(
                ("_".join(parts), " ".join(p.capitalize() for p in parts), column_description)
            )
        domain_terms = self.terms[domain_index]
        terms = rng.sample(domain_terms, k=rng.choice([0, 1, 1, 2, 2, 3, 4]))
        forms = {}
        if rng.random() < 0.6:
            forms = {
                "Data product / Refresh": rng.choice(REFRESH),
                "Data product / Owner team": rng.choice(TEAMS),
            }
        return {
            "business": business,
            "technical": technical,
            "description": description,
            "columns": columns,
            "terms": terms,
            "forms": forms,
        }


def split_identifier(name: str) -> str:
    """catalog.search.documents.split_identifier, for the snake_case names made here."""
    return name.replace("_", " ")


def staging_row(n, listing_id, asset_id, domain_id, project_id, published_at, item, domain_name):
    columns, terms = item["columns"], item["terms"]
    term_words = " ".join(f"{t['name']} {' '.join(t['synonyms'])} {t['parent']}" for t in terms)
    a = f"{item['business']} {item['technical']} {split_identifier(item['technical'])}"
    b = " ".join(
        [term_words]
        + [f"{name} {split_identifier(name)} {business}" for name, business, _ in columns]
    )
    form_text = " ".join(f"{key.split(' / ')[1]} {value}" for key, value in item["forms"].items())
    c = f"{item['description']} benchdb {form_text}"
    d = " ".join(desc for _, _, desc in columns if desc)
    names = f"{a} " + " ".join(f"{t['name']} {' '.join(t['synonyms'])}" for t in terms)
    text_columns = "; ".join(
        f"{name} ({business}): {desc}" for name, business, desc in columns if desc
    )
    text = f"{item['description']} · Columns: {text_columns}"[:4000]
    refs = [
        {"id": t["id"], "name": t["name"], "glossary": f"{domain_name} vocabulary"} for t in terms
    ]
    snapshot = {
        "type": item["type"],
        "technical_name": item["technical"],
        "business_name": item["business"],
        "database_name": "benchdb",
        "schema_name": "",
        "description": item["description"],
        "columns": [
            {"name": name, "business_name": business, "description": desc, "glossary_terms": []}
            for name, business, desc in columns
        ],
        "glossary_terms": refs,
        "forms": [],
    }
    return [
        n,
        listing_id,
        asset_id,
        domain_id,
        project_id,
        item["type"],
        published_at.isoformat(),
        item["business"],
        item["technical"],
        a,
        b,
        c,
        d,
        names,
        text,
        "{" + ",".join(t["id"] for t in terms) + "}",
        json.dumps(item["forms"]),
        json.dumps(snapshot),
    ]


STAGING = """
CREATE UNLOGGED TABLE bench_staging (
    n integer PRIMARY KEY, listing_id uuid, asset_id uuid, domain_id uuid, project_id uuid,
    asset_type text, published_at timestamptz, name text, technical text,
    a text, b text, c text, d text, names text, text text,
    term_ids uuid[], form_facets jsonb, snapshot jsonb
)
"""


def raw_connection():
    import psycopg2
    from django.db import connection

    return psycopg2.connect(**connection.get_connection_params())


def setup_catalog():
    """Domains, projects, glossaries and terms through the ORM (small)."""
    from django.contrib.auth import get_user_model

    from glossary.models import Glossary, GlossaryTerm
    from projects.models import Domain, Project

    rng = random.Random(SEED)
    words = vocabulary(rng)
    user = get_user_model().objects.create_user("bench-consumer")
    domains, projects, terms = [], [], []
    for index, name in enumerate(DOMAINS):
        domain = Domain.objects.create(name=name)
        domain_projects = [
            Project.objects.create(domain=domain, name=f"{name} project {i}")
            for i in range(PROJECTS_PER_DOMAIN)
        ]
        glossary = Glossary.objects.create(
            domain=domain, owning_project=domain_projects[0], name=f"{name} vocabulary"
        )
        domain_terms, previous = [], None
        for i in range(TERMS_PER_DOMAIN):
            # Term names from the business words (rank 50–300), made unique per domain.
            base = words[50 + (index * TERMS_PER_DOMAIN + i) % 250]
            term = GlossaryTerm.objects.create(
                glossary=glossary,
                name=f"{base} {words[300 + index * TERMS_PER_DOMAIN + i]}",
                synonyms=[words[2000 + index * TERMS_PER_DOMAIN + i]],
            )
            parent = previous if i % 5 else None
            if parent is not None:
                term.is_a.add(parent)
            domain_terms.append(
                {
                    "id": str(term.pk),
                    "name": term.name,
                    "synonyms": term.synonyms,
                    "parent": parent.name if parent is not None else "",
                }
            )
            previous = term
        domains.append(domain)
        projects.append(domain_projects)
        terms.append(domain_terms)
    return rng, words, user, domains, projects, terms


def generate_chunk(job) -> str:
    """CSV of listings start+1 … end (a worker process; each chunk has its own seed)."""
    start, end, n_listings, words, terms, domain_ids, project_ids, now, light = job
    rng = random.Random(SEED * 1_000_003 + start)
    generator = Generator(rng, words, terms, light)
    step = 3 * 365 * 86400 / n_listings  # three years of publishing
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n in range(start + 1, end + 1):
        domain_index = rng.randrange(len(domain_ids))
        item = generator.listing(n, domain_index)
        item["type"] = rng.choice(ASSET_TYPES)
        writer.writerow(
            staging_row(
                n,
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                domain_ids[domain_index],
                rng.choice(project_ids[domain_index]),
                # Listings are written when published: the table's order follows
                # published_at (give or take a minute), as in a real catalog.
                now - timedelta(seconds=(n_listings - n) * step + rng.uniform(0, 60)),
                item,
                DOMAINS[domain_index],
            )
        )
    return buffer.getvalue()


def load(n_listings: int, rng, words, domains, projects, terms, light=False):
    """COPY the generated listings into a staging table (two processes generate), then
    build assets and listings (vectors in SQL) in batches on two connections, then the
    indexes."""
    import multiprocessing

    from catalog.search.documents import NAME_WORDS_SQL, document_vector_sql, name_vector_sql

    conn = raw_connection()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute(STAGING)

    started = time.perf_counter()
    domain_ids = [str(d.pk) for d in domains]
    project_ids = [[str(p.pk) for p in group] for group in projects]
    now = datetime.now(UTC)
    jobs = [
        (
            lo,
            min(lo + LOAD_BATCH, n_listings),
            n_listings,
            words,
            terms,
            domain_ids,
            project_ids,
            now,
            light,
        )
        for lo in range(0, n_listings, LOAD_BATCH)
    ]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        for (_, end, *_), chunk in zip(jobs, pool.imap(generate_chunk, jobs), strict=True):
            cur.copy_expert("COPY bench_staging FROM STDIN WITH (FORMAT csv)", io.StringIO(chunk))
            print(f"  generated {end:>9,} listings", flush=True)
    print(f"  generation and COPY: {time.perf_counter() - started:.0f} s", flush=True)

    # Plain indexes are dropped during the load and created again after (much faster).
    cur.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename IN ('catalog_listing', 'catalog_asset', 'catalog_listingnameword')
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """
    )
    indexes = cur.fetchall()
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')

    started = time.perf_counter()
    cur.execute(
        """
        SET session_replication_role = replica;
        INSERT INTO catalog_asset (id, created_at, updated_at, type, external_identifier,
            technical_name, database_name, schema_name, business_name, description,
            technical_metadata, content_hash, current_revision, domain_id, project_id)
        SELECT asset_id, published_at, published_at, asset_type, 'bench://' || technical,
            technical, 'benchdb', '', name, '', '{}', 'bench', 1, domain_id, project_id
        FROM bench_staging;
        """
    )
    vector = document_vector_sql("s.a", "s.b", "s.c", "s.d")
    names = name_vector_sql("s.names")
    insert = f"""
        SET session_replication_role = replica;
        INSERT INTO catalog_listing (id, created_at, updated_at, asset_id, domain_id,
            project_id, revision, status, approval_required, name, snapshot, published_at,
            technical_name, asset_type, search_vector, name_vector, search_text,
            glossary_term_ids, form_facets)
        SELECT s.listing_id, s.published_at, s.published_at, s.asset_id, s.domain_id,
            s.project_id, 1, CASE WHEN s.n %% 20 = 0 THEN 'INACTIVE' ELSE 'ACTIVE' END, true,
            s.name, s.snapshot, s.published_at, s.technical, s.asset_type, {vector}, {names},
            s.text, s.term_ids, s.form_facets
        FROM bench_staging s WHERE s.n > %s AND s.n <= %s
    """
    batches = [(lo, min(lo + LOAD_BATCH, n_listings)) for lo in range(0, n_listings, LOAD_BATCH)]
    lock, done = threading.Lock(), [0]

    def worker():
        worker_conn = raw_connection()
        worker_conn.autocommit = True
        worker_cur = worker_conn.cursor()
        while True:
            with lock:
                if not batches:
                    break
                lo, hi = batches.pop(0)
            worker_cur.execute(insert, [lo, hi])
            with lock:
                done[0] += hi - lo
                print(f"  vectors built for {done[0]:>9,} listings", flush=True)
        worker_conn.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"  assets, listings and vectors: {time.perf_counter() - started:.0f} s", flush=True)

    # The words of the names, as publishing writes them (catalog.search.documents).
    started = time.perf_counter()
    words = NAME_WORDS_SQL.format(
        words="catalog_listingnameword", listings="catalog_listing"
    ).replace("l.id = ANY(%s::uuid[])", "true")
    cur.execute(words)
    print(f"  name words for suggestions: {time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    cur.execute("SET maintenance_work_mem = '1GB'")
    cur.execute("SET max_parallel_maintenance_workers = 2")
    for _, definition in indexes:
        cur.execute(definition)
    cur.execute("DROP TABLE bench_staging")
    cur.execute("VACUUM ANALYZE catalog_asset")
    cur.execute("VACUUM ANALYZE catalog_listing")
    cur.execute("VACUUM ANALYZE catalog_listingnameword")
    print(f"  indexes, VACUUM ANALYZE: {time.perf_counter() - started:.0f} s", flush=True)
    cur.execute("SELECT pg_size_pretty(pg_total_relation_size('catalog_listing'))")
    print(f"  catalog_listing with indexes and TOAST: {cur.fetchone()[0]}", flush=True)
    conn.close()


def queries(words, domains, terms) -> list[tuple[str, dict]]:
    """The fixed set: (label, query parameters)."""
    from catalog.models import Listing

    exact = Listing.objects.filter(status="ACTIVE").order_by("pk").values_list("name", flat=True)[0]
    return [
        ("single word, rare", {"q": words[3000]}),
        ("single word, common", {"q": words[15]}),
        ("two words", {"q": f"{words[40]} {words[300]}"}),
        ("phrase", {"q": '"net revenue"'}),
        ("common word + domain facet", {"q": words[15], "domain": str(domains[1].pk)}),
        ("word + term facet", {"q": words[40], "glossary_term": terms[0][0]["id"]}),
        ("prefix while typing", {"q": words[200][:4]}),
        ("exact business name", {"q": exact}),
        ("common word, sort by name", {"q": words[15], "sort": "name"}),
        ("empty query (newest first)", {}),
    ]


def measure(user, params, runs: int, explain: bool):
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    for _ in range(3):  # warm up caches and code paths
        assert client.get("/api/v1/search/", params).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/search/", params)
    body = response.json()
    statements = [q["sql"] for q in captured.captured_queries]

    settings.DEBUG = False  # no query log while timing
    api = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get("/api/v1/search/", params)
        api.append(time.perf_counter() - started)
        assert response.status_code == 200

    conn = raw_connection()
    conn.autocommit = True
    cur = conn.cursor()
    sql = []
    for _ in range(3):
        for statement in statements:
            cur.execute(statement)
            cur.fetchall()
    for _ in range(runs):
        started = time.perf_counter()
        for statement in statements:
            cur.execute(statement)
            cur.fetchall()
        sql.append(time.perf_counter() - started)
    if explain:
        for statement in statements:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
            print("\n".join(row[0] for row in cur.fetchall()))
            print()
    conn.close()
    return api, sql, len(statements), body


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "n", nargs="*", type=int, default=[100_000], help="catalog sizes, each measured in turn"
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each query")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database (bench_meshportal_search_N, _names_N with --suggest-only) "
        "afterwards, and reuse the one a previous --keep run left with N listings; drop it "
        "with dropdb when done",
    )
    parser.add_argument(
        "--suggest-only",
        action="store_true",
        help="measure only the nav-search suggestions (on a catalog of names and terms only)",
    )
    args = parser.parse_args()
    worst = {n: run(args, n) for n in args.n}
    print("\nSuggestions, worst shape at each size (the statement alone on SQL, in brackets):")
    for n, figures in worst.items():
        print(
            f"  {n:>9,} listings: p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms "
            f"[SQL p95 {figures['sql95']:.1f} ms]; CPU per request {figures['cpu']:.2f} ms"
        )
    print(f"Machine load (1, 5, 15 min): {os.getloadavg()}")


def run(args, n: int) -> dict:
    """Build (or reuse) the catalog of ``n`` listings and measure it; the suggestions'
    worst figures."""
    # The light catalog (names and terms) has a name of its own, so a kept one is never
    # taken for a full one.
    name = f"bench_meshportal_search_{'names_' if args.suggest_only else ''}{n}"
    with bench_database(name, keep=args.keep):
        started = time.perf_counter()
        if args.keep and already_loaded(n):
            rng, words, user, domains, projects, terms = existing_catalog()
            print(f"Reusing the kept database {name} with {n:,} listings.", flush=True)
        else:
            rng, words, user, domains, projects, terms = setup_catalog()
            print(f"Generating {n:,} listings …", flush=True)
            # Suggestions read names and terms only: a lighter catalog (no descriptions
            # or columns) builds several times faster, with the same names.
            load(n, rng, words, domains, projects, terms, light=args.suggest_only)
        print(f"Data ready in {time.perf_counter() - started:.0f} s\n", flush=True)
        print(f"Machine load (1, 5, 15 min): {os.getloadavg()}", flush=True)
        if not args.suggest_only:
            measure_search(args, n, words, user, domains, terms)
        return measure_suggestions(n, args.runs, words, user, terms)


def already_loaded(n: int) -> bool:
    from catalog.models import Listing

    return Listing.objects.count() == n


def existing_catalog():
    """What setup_catalog returned, read back from a kept database."""
    from django.contrib.auth import get_user_model

    from glossary.models import GlossaryTerm
    from projects.models import Domain, Project

    rng = random.Random(SEED)
    words = vocabulary(rng)
    user = get_user_model().objects.get(username="bench-consumer")
    domains = list(Domain.objects.filter(name__in=DOMAINS).order_by("created_at"))
    projects = [list(Project.objects.filter(domain=d).order_by("created_at")) for d in domains]
    terms = [
        [
            {"id": str(t.pk), "name": t.name, "synonyms": t.synonyms, "parent": ""}
            for t in GlossaryTerm.objects.filter(glossary__domain=d).order_by("created_at")
        ]
        for d in domains
    ]
    return rng, words, user, domains, projects, terms


def measure_search(args, n, words, user, domains, terms):
    print(
        f"Catalog search at {n:,} listings ({args.runs} runs per query, after 3 "
        "warm-up runs).\nAPI = GET /api/v1/search/ through Django's test client "
        "(in process, no HTTP server);\nSQL = the same statements replayed straight "
        "on psycopg2 (baseline).\n"
    )
    header = (
        f"{'query':30} {'results':>9} {'API p50':>8} {'API p95':>8} "
        f"{'SQL p50':>8} {'SQL p95':>8} {'API÷SQL':>8} {'queries':>8}"
    )
    print(header)
    print("-" * len(header))
    worst_api, worst_ratio = 0.0, 0.0
    for label, params in queries(words, domains, terms):
        api, sql, count, body = measure(user, params, args.runs, args.explain)
        found = f"{body['count']:,}{'+' if body['count_is_estimate'] else ''}"
        api50, api95 = percentile(api, 50) * 1000, percentile(api, 95) * 1000
        sql50, sql95 = percentile(sql, 50) * 1000, percentile(sql, 95) * 1000
        ratio = api50 / sql50
        worst_api, worst_ratio = max(worst_api, api95), max(worst_ratio, ratio)
        print(
            f"{label:30} {found:>9} {api50:7.1f}ms {api95:7.1f}ms {sql50:7.1f}ms "
            f"{sql95:7.1f}ms {ratio:7.2f}x {count:>8}",
            flush=True,
        )
    print(
        f"\nWorst API p95: {worst_api:.1f} ms; worst API÷SQL (p50): {worst_ratio:.2f}x; "
        "queries per search: 3 with words, 2 without."
    )


if __name__ == "__main__":
    main()
