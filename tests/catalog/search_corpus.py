"""A labelled corpus for search tests: about 50 published listings across five domains.

Built the way producers and stewards build a catalog: glossaries and terms (synonyms,
``is_a`` parents) through the glossary services, metadata forms through the form-type
service, assets as an import leaves them (factories), then business names, descriptions,
column metadata, terms and form values through the catalog services, and
``asset_publish`` — which builds each search document in its transaction.

Besides the published listings the corpus holds one listing that was unpublished again
(INACTIVE, with the word "zeppelin") and one inventory asset never published (with the
word "quokka"): neither may ever appear in catalog search.

``build_corpus()`` returns a :class:`Corpus`; tests share one per module (see
``corpus_fixture``), each test running in a savepoint inside it.
"""

from dataclasses import dataclass, field

import pytest
from django.db import transaction

from catalog import services
from catalog.choices import AssetType
from catalog.models import Asset, Listing
from glossary import services as glossary_services
from glossary.choices import FieldType
from projects.choices import Designation, DomainRole
from tests.catalog.factories import AssetColumnFactory, AssetFactory, DataSourceFactory
from tests.projects.factories import (
    DomainFactory,
    DomainMembershipFactory,
    EnvironmentFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
)

# {domain: (project, [(term, synonyms, parents)])}; parents are terms listed before.
VOCABULARY = {
    "streaming": (
        "Film Catalog Project",
        [
            ("Category", ["classification"], []),
            ("Genre", ["film genre", "style"], ["Category"]),
            ("Film", ["movie", "motion picture"], []),
            ("Subscriber", ["member", "viewer account"], []),
            ("Churn", ["attrition"], []),
            ("Stream", ["play", "view"], []),
        ],
    ),
    "retail": (
        "Retail Analytics",
        [
            ("Customer", ["client", "shopper", "buyer"], []),
            ("Order", ["purchase"], []),
            ("Revenue", ["turnover", "sales income"], []),
            ("Store", ["shop", "outlet"], []),
            ("Product", ["item", "article"], []),
            ("SKU", ["product code"], ["Product"]),
            ("Payment method", [], []),
            ("Debit card", ["bank card"], ["Payment method"]),
            ("Loyalty", ["rewards"], []),
        ],
    ),
    "finance": (
        "Finance Reporting",
        [
            ("General ledger", ["GL", "book of accounts"], []),
            ("Invoice", ["bill"], []),
            ("Balance sheet item", [], []),
            ("Accounts receivable", ["AR", "receivables"], ["Balance sheet item"]),
            ("Accounts payable", ["AP", "payables"], ["Balance sheet item"]),
            ("Cost center", ["cost centre"], []),
            ("Currency", [], []),
        ],
    ),
    "logistics": (
        "Logistics Ops",
        [
            ("Shipment", ["consignment", "parcel"], []),
            ("Carrier", ["courier", "haulier"], []),
            ("Warehouse", ["depot", "distribution center"], []),
            ("Delivery", ["drop-off"], []),
        ],
    ),
    "healthcare": (
        "Clinical Data",
        [
            ("Patient", ["subject"], []),
            ("Encounter", ["visit", "admission"], []),
            ("Diagnosis", ["condition"], []),
        ],
    ),
}

# The form every domain uses for its data products: four searchable fields, one not.
FORM_NAME = "Data product"
FORM_FIELDS = [
    {"name": "owner_team", "label": "Owner team", "type": FieldType.STRING, "searchable": True},
    {"name": "refresh", "label": "Refresh", "type": FieldType.STRING, "searchable": True},
    {
        "name": "contains_pii",
        "label": "Contains PII",
        "type": FieldType.BOOLEAN,
        "searchable": True,
    },
    {"name": "notes", "label": "Notes", "type": FieldType.TEXT, "searchable": True},
    {"name": "internal_code", "label": "Internal code", "type": FieldType.STRING},
]


# Finance keeps its tables in Redshift; the others in Glue.
ASSET_TYPES = {"finance": AssetType.REDSHIFT_TABLE}


def col(name, business="", description="", terms=()):
    return {"name": name, "business_name": business, "description": description, "terms": terms}


# (domain, technical name, business name, description, terms, columns, form values)
LISTINGS = [
    # --- streaming ---------------------------------------------------------------------
    (
        "streaming",
        "film_category",
        "Movie listings with category",
        "A complete listing of all films in the streaming catalog with each film's "
        "category/genre and its special features.",
        ["Film"],
        [
            col("category_id", "Category ID"),
            col(
                "name",
                "Name",
                "The movie category/genre (samples: Animation, Comedy, Sports, Children, "
                "Drama, Action)",
                ["Genre"],
            ),
            col("film_id", "Film ID"),
            col("special_features", "Special Features"),
        ],
        {"owner_team": "Film Catalog Team", "refresh": "Daily", "contains_pii": False},
    ),
    (
        "streaming",
        "streaming_films",
        "Streaming films",
        "Every film title available for streaming with release year, rating and how often "
        "it was streamed.",
        ["Film"],
        [
            col("film_id", "Film ID"),
            col("title", "Title", "The film's title as shown to viewers"),
            col("release_year", "Release year"),
            col("rating", "Rating", "MPAA rating such as PG-13"),
            col("stream_count", "Stream count"),
        ],
        {"owner_team": "Film Catalog Team", "refresh": "Daily"},
    ),
    (
        "streaming",
        "category_streams",
        "Streams per category",
        "Daily number of streams for each category.",
        ["Stream", "Category"],
        [col("category_name", "Category name"), col("stream_date"), col("streams")],
        {"owner_team": "Film Catalog Team", "refresh": "Hourly"},
    ),
    (
        "streaming",
        "music_genres",
        "Music genre catalog",
        "Genres of songs in the music library, with their parent genre.",
        ["Genre"],
        [col("genre_id"), col("genre_name", "Genre name"), col("parent_genre_id")],
        {},
    ),
    (
        "streaming",
        "movie_ratings",
        "Movie ratings by viewers",
        "Star ratings that subscribers give to titles after watching.",
        ["Film", "Subscriber"],
        [
            col("film_id"),
            col("subscriber_id"),
            col("stars", "Stars", "From one to five stars"),
            col("rated_at"),
        ],
        {},
    ),
    (
        "streaming",
        "subscriber_cancellations",
        "Subscriber cancellations",
        "Each cancelled subscription with the reason given and the plan.",
        ["Churn", "Subscriber"],
        [
            col("subscriber_id"),
            col("cancelled_at"),
            col("reason", "Reason", "Free-text reason the member gave"),
            col("plan"),
        ],
        {},
    ),
    (
        "streaming",
        "watch_sessions",
        "Watch sessions",
        "Playback sessions with device and duration, one row per session.",
        ["Stream"],
        [
            col("session_id"),
            col("device_type", "Device type", "Smart TV, phone, tablet or browser"),
            col("duration_seconds"),
            col(
                "buffering_events",
                "Buffering events",
                "How often playback stalled waiting for the content delivery network",
            ),
        ],
        {
            "owner_team": "Nightingale squad",
            "refresh": "Hourly",
            "contains_pii": True,
            "internal_code": "XQZ991",
        },
    ),
    (
        "streaming",
        "film_category_archive",
        "Film category archive",
        "Categories of films removed from the catalog before 2020.",
        ["Category"],
        [col("category_id"), col("name"), col("removed_on")],
        {},
    ),
    (
        "streaming",
        "content_licenses",
        "Content licenses",
        "Licensing windows per title and territory, with the studio.",
        ["Film"],
        [
            col("film_id"),
            col("territory", "Territory", "ISO country code where the license applies"),
            col("window_start"),
            col("window_end"),
            col("studio"),
        ],
        {},
    ),
    (
        "streaming",
        "playlist_tracks",
        "Playlist tracks",
        "Songs in curated playlists with their position.",
        [],
        [col("playlist_id"), col("track_id"), col("position")],
        {},
    ),
    # --- retail ------------------------------------------------------------------------
    (
        "retail",
        "customer_lifetime_value",
        "Customer lifetime value",
        "Predicted revenue from each customer over the whole relationship.",
        ["Customer", "Revenue"],
        [
            col("customer_id"),
            col("clv_usd", "CLV (USD)", "Predicted lifetime value in US dollars"),
            col("segment"),
        ],
        {"owner_team": "Retail Insights", "refresh": "Daily"},
    ),
    (
        "retail",
        "customers",
        "Customers",
        "Every customer with contact details and the store where they signed up.",
        ["Customer"],
        [col("customer_id"), col("email"), col("home_store_id"), col("signup_date")],
        {"owner_team": "Retail Insights", "refresh": "Daily", "contains_pii": True},
    ),
    (
        "retail",
        "customer_value_segments",
        "Customer value segments",
        "Customers grouped into value segments (gold, silver, bronze) by their lifetime value.",
        ["Customer"],
        [col("customer_id"), col("segment"), col("value_band")],
        {},
    ),
    (
        "retail",
        "orders",
        "Orders",
        "Every order placed online or in store, with totals.",
        ["Order", "Customer"],
        [
            col("order_id"),
            col("customer_id"),
            col("order_total"),
            col("placed_at"),
            col("status", "Status", "Open, shipped or delivered"),
        ],
        {"owner_team": "Retail Insights", "refresh": "Hourly"},
    ),
    (
        "retail",
        "cancelled_orders",
        "Cancelled orders",
        "Orders cancelled before shipping, with the cancellation reason.",
        ["Order"],
        [col("order_id"), col("cancelled_at"), col("reason")],
        {},
    ),
    (
        "retail",
        "store_footfall",
        "Store footfall",
        "Visitors counted entering each store per hour by door sensors.",
        ["Store"],
        [
            col("store_id"),
            col("hour"),
            col("visitors", "Visitors", "People counted by the door sensor"),
        ],
        {},
    ),
    (
        "retail",
        "product_catalog",
        "Product catalog",
        "Products with SKU, brand and price.",
        ["SKU"],
        [
            col("sku", "SKU"),
            col("brand"),
            col("price"),
            col("special_offer", "Special offer", "Whether the product is in a promotion"),
            col("features", "Features", "Key product features listed on the shelf label"),
        ],
        {},
    ),
    (
        "retail",
        "card_transactions",
        "Card transactions",
        "Point-of-sale payments made with cards.",
        ["Debit card"],
        [
            col("transaction_id"),
            col("card_type"),
            col("amount"),
            col("merchant_category", "Merchant category", "MCC code of the merchant"),
        ],
        {},
    ),
    (
        "retail",
        "loyalty_points",
        "Loyalty points ledger",
        "Points earned and redeemed by loyalty members.",
        ["Loyalty", "Customer"],
        [col("member_id"), col("points"), col("earned_at")],
        {},
    ),
    (
        "retail",
        "daily_revenue",
        "Daily revenue by store",
        "Revenue per store and day, net of returns.",
        ["Revenue", "Store"],
        [col("store_id"), col("day"), col("net_revenue")],
        {"owner_team": "Retail Insights", "refresh": "Daily"},
    ),
    (
        "retail",
        "wine_pairings",
        "Wine pairing suggestions",
        "Which wines the deli counter recommends with which cheeses.",
        [],
        [
            col("cheese_sku"),
            col("wine_sku"),
            col("note", "Note", "Tasting note written by our sommelier"),
        ],
        {},
    ),
    (
        "retail",
        "price_changes",
        "Price changes",
        "History of shelf price changes per product.",
        ["Product"],
        [col("sku"), col("old_price"), col("new_price"), col("changed_at")],
        {},
    ),
    # --- finance -----------------------------------------------------------------------
    (
        "finance",
        "general_ledger_entries",
        "General ledger entries",
        "Every journal line posted to the ledger with account and amount.",
        ["General ledger"],
        [col("entry_id"), col("account"), col("amount"), col("posted_at")],
        {"owner_team": "Controlling", "refresh": "Daily"},
    ),
    (
        "finance",
        "invoices",
        "Customer invoices",
        "Invoices issued to customers with due date and amount.",
        ["Invoice", "Accounts receivable"],
        [col("invoice_id"), col("customer_id"), col("due_date"), col("amount")],
        {"owner_team": "Controlling", "refresh": "Daily"},
    ),
    (
        "finance",
        "supplier_invoices",
        "Supplier invoices",
        "Bills received from suppliers awaiting payment.",
        ["Invoice", "Accounts payable"],
        [col("invoice_id"), col("supplier_id"), col("amount")],
        {},
    ),
    (
        "finance",
        "ar_aging",
        "Receivables aging",
        "Open receivables bucketed by days overdue.",
        ["Accounts receivable"],
        [col("customer_id"), col("bucket"), col("open_amount")],
        {},
    ),
    (
        "finance",
        "fx_rates",
        "Foreign exchange rates",
        "Daily closing exchange rates against the euro.",
        ["Currency"],
        [col("currency_code", "Currency code", "ISO 4217 code"), col("rate_date"), col("rate")],
        {"refresh": "Daily"},
    ),
    (
        "finance",
        "cost_center_budget",
        "Cost center budgets",
        "Annual budget per cost center and month.",
        ["Cost center"],
        [col("cost_center"), col("month"), col("budget")],
        {},
    ),
    (
        "finance",
        "expense_claims",
        "Expense claims",
        "Employee expense claims with receipts and approval.",
        [],
        [
            col("claim_id"),
            col("employee_id"),
            col("amount"),
            col("category", "Category", "Travel, meals or equipment"),
        ],
        {},
    ),
    (
        "finance",
        "payroll_summary",
        "Payroll summary",
        "Monthly gross and net pay per department.",
        [],
        [col("department"), col("month"), col("gross_pay"), col("net_pay")],
        {"contains_pii": True},
    ),
    (
        "finance",
        "tax_filings",
        "Tax filings",
        "VAT and sales tax returns per jurisdiction and period.",
        [],
        [col("jurisdiction"), col("period"), col("amount_due")],
        {},
    ),
    (
        "finance",
        "budget_vs_actual",
        "Budget versus actual",
        "Variance between budgeted and actual spend per cost center.",
        ["Cost center"],
        [col("cost_center"), col("month"), col("variance")],
        {},
    ),
    (
        "finance",
        "close_checklist",
        "Quarterly close checklist",
        'Notes with <script>alert("pwned")</script> inline markup and the quarterly close '
        "checklist.",
        [],
        [col("step"), col("owner"), col("done_at")],
        {},
    ),
    # --- logistics ---------------------------------------------------------------------
    (
        "logistics",
        "shipments",
        "Shipments",
        "Every outbound shipment with carrier, weight and tracking number.",
        ["Shipment", "Carrier"],
        [col("shipment_id"), col("carrier"), col("weight_kg"), col("tracking_number")],
        {"owner_team": "Network Ops", "refresh": "Hourly"},
    ),
    (
        "logistics",
        "shipment_events",
        "Shipment tracking events",
        "Scans recorded as shipments move through the network.",
        ["Shipment"],
        [col("shipment_id"), col("scan_type"), col("scanned_at"), col("location")],
        {"owner_team": "Network Ops", "refresh": "Hourly"},
    ),
    (
        "logistics",
        "carrier_rates",
        "Carrier rate cards",
        "Negotiated prices per carrier, zone and weight band.",
        ["Carrier"],
        [col("carrier"), col("zone"), col("weight_band"), col("price")],
        {},
    ),
    (
        "logistics",
        "warehouse_inventory",
        "Warehouse stock levels",
        "On-hand quantity per item and warehouse, refreshed hourly.",
        ["Warehouse"],
        [col("warehouse_id"), col("item_code"), col("on_hand")],
        {"refresh": "Hourly"},
    ),
    (
        "logistics",
        "delivery_exceptions",
        "Delivery exceptions",
        "Deliveries that failed or were delayed, with the reason.",
        ["Delivery"],
        [col("shipment_id"), col("exception_type"), col("reason")],
        {},
    ),
    (
        "logistics",
        "returns_processing",
        "Returns processing",
        "Items returned by customers and how each return was processed.",
        [],
        [col("return_id"), col("item_code"), col("outcome")],
        {},
    ),
    (
        "logistics",
        "fleet_telemetry",
        "Fleet telemetry",
        "GPS position and fuel level of delivery vans every minute.",
        [],
        [col("van_id"), col("recorded_at"), col("latitude"), col("longitude"), col("fuel_level")],
        {},
    ),
    (
        "logistics",
        "route_plans",
        "Route plans",
        "Planned delivery routes per van and day with the order of stops.",
        ["Delivery"],
        [col("van_id"), col("day"), col("stop_sequence")],
        {},
    ),
    # --- healthcare --------------------------------------------------------------------
    (
        "healthcare",
        "patient_encounters",
        "Patient encounters",
        "Hospital visits with admission and discharge times.",
        ["Patient", "Encounter"],
        [col("encounter_id"), col("patient_id"), col("admitted_at"), col("discharged_at")],
        {"contains_pii": True},
    ),
    (
        "healthcare",
        "diagnoses",
        "Diagnoses",
        "Diagnosis codes recorded per encounter (ICD-10).",
        ["Diagnosis"],
        [col("encounter_id"), col("icd10_code"), col("recorded_at")],
        {},
    ),
    (
        "healthcare",
        "lab_results",
        "Laboratory results",
        "Lab test results with reference ranges.",
        [],
        [
            col("test_code"),
            col("value"),
            col("unit"),
            col(
                "reference_range",
                "Reference range",
                "Normal range for the test, from the lab handbook",
            ),
        ],
        {},
    ),
    (
        "healthcare",
        "prescriptions",
        "Prescriptions",
        "Medication orders with dose and frequency.",
        ["Patient"],
        [col("prescription_id"), col("patient_id"), col("drug"), col("dose")],
        {},
    ),
    (
        "healthcare",
        "bed_occupancy",
        "Bed occupancy",
        "Occupied and free beds per ward every hour.",
        [],
        [col("ward"), col("hour"), col("occupied"), col("free")],
        {},
    ),
    (
        "healthcare",
        "vaccination_records",
        "Vaccination records",
        "Vaccines given per patient with lot number.",
        ["Patient"],
        [col("patient_id"), col("vaccine"), col("lot_number"), col("given_at")],
        {},
    ),
    (
        "healthcare",
        "clinical_trials",
        "Clinical trial enrolments",
        "Subjects enrolled in trials with arm and consent date.",
        [],
        [col("trial_id"), col("subject_id"), col("arm"), col("consented_at")],
        {},
    ),
    (
        "healthcare",
        "staff_rosters",
        "Staff rosters",
        "Nurse and physician shifts per ward.",
        [],
        [col("ward"), col("staff_id"), col("shift_start"), col("shift_end")],
        {},
    ),
]

# Never in catalog search: unpublished again after publishing, and never published.
RETIRED = (
    "retail",
    "retired_campaigns",
    "Retired marketing campaigns",
    "Campaigns of the zeppelin season, withdrawn from the catalog.",
    ["Customer"],
    [col("campaign_id"), col("budget")],
    {"owner_team": "Zeppelin crew", "refresh": "Weekly"},
)
DRAFT = (
    "finance",
    "draft_payroll_adjustments",
    "Draft payroll adjustments",
    "Work in progress: quokka bonus adjustments, not published.",
    [],
    [col("employee_id"), col("adjustment")],
    {},
)


@dataclass
class Corpus:
    domains: dict = field(default_factory=dict)
    projects: dict = field(default_factory=dict)
    producers: dict = field(default_factory=dict)  # by domain: OWNER of its project
    stewards: dict = field(default_factory=dict)
    terms: dict = field(default_factory=dict)  # by (domain, name)
    form_types: dict = field(default_factory=dict)
    assets: dict = field(default_factory=dict)  # by technical name
    listings: dict = field(default_factory=dict)  # by technical name (published ones)
    consumer: object = None  # signed in, member of nothing

    def listing(self, technical_name) -> Listing:
        return self.listings[technical_name]


def _make_asset(corpus, source_by_domain, spec):
    domain, technical, business, description, terms, columns, form_values = spec
    producer = corpus.producers[domain]
    asset = AssetFactory(
        data_source=source_by_domain[domain],
        technical_name=technical,
        type=ASSET_TYPES.get(domain, AssetType.GLUE_TABLE),
    )
    for position, column in enumerate(columns, start=1):
        AssetColumnFactory(asset=asset, name=column["name"], position=position)
    services.asset_update(
        acting_user=producer,
        asset=asset,
        business_name=business,
        description=description,
        glossary_terms=[corpus.terms[(domain, t)].pk for t in terms],
    )
    services.asset_columns_update(
        acting_user=producer,
        asset=asset,
        columns=[
            {
                "name": c["name"],
                "business_name": c["business_name"],
                "description": c["description"],
                "glossary_terms": [corpus.terms[(domain, t)].pk for t in c["terms"]],
            }
            for c in columns
        ],
    )
    if form_values:
        services.asset_forms_update(
            acting_user=producer,
            asset=asset,
            forms={str(corpus.form_types[domain].pk): form_values},
        )
    corpus.assets[technical] = Asset.objects.get(pk=asset.pk)
    return corpus.assets[technical]


def build_corpus() -> Corpus:
    """Create and publish the corpus (a few seconds: every write goes through services)."""
    corpus = Corpus(consumer=UserFactory(username="search-consumer"))
    sources = {}
    for domain_name, (project_name, vocabulary) in VOCABULARY.items():
        domain = DomainFactory(name=domain_name)
        steward = UserFactory(username=f"{domain_name}-steward")
        DomainMembershipFactory(domain=domain, user=steward, role=DomainRole.STEWARD)
        producer = UserFactory(username=f"{domain_name}-producer")
        project = ProjectFactory(domain=domain, name=project_name)
        ProjectMembershipFactory(project=project, user=producer, designation=Designation.OWNER)
        corpus.domains[domain_name] = domain
        corpus.projects[domain_name] = project
        corpus.stewards[domain_name] = steward
        corpus.producers[domain_name] = producer
        glossary = glossary_services.glossary_create(
            acting_user=steward,
            domain=domain,
            owning_project=project,
            name=f"{domain_name.title()} vocabulary",
        )
        for name, synonyms, parents in vocabulary:
            corpus.terms[(domain_name, name)] = glossary_services.term_create(
                acting_user=steward,
                glossary=glossary,
                name=name,
                synonyms=synonyms,
                is_a=[corpus.terms[(domain_name, p)].pk for p in parents],
            )
        corpus.form_types[domain_name] = glossary_services.form_type_create(
            acting_user=steward,
            domain=domain,
            owning_project=project,
            name=FORM_NAME,
            fields=FORM_FIELDS,
        )
        sources[domain_name] = DataSourceFactory(
            project=project,
            environment=EnvironmentFactory(project=project),
            name=f"{domain_name}-glue",
        )
    for spec in LISTINGS:
        asset = _make_asset(corpus, sources, spec)
        corpus.listings[spec[1]] = services.asset_publish(
            acting_user=corpus.producers[spec[0]], asset=asset
        )
    retired = _make_asset(corpus, sources, RETIRED)
    services.asset_publish(acting_user=corpus.producers[RETIRED[0]], asset=retired)
    services.asset_unpublish(acting_user=corpus.producers[RETIRED[0]], asset=retired)
    _make_asset(corpus, sources, DRAFT)
    return corpus


def corpus_fixture():
    """A module-scoped pytest fixture: the corpus is built once, inside a transaction
    that is rolled back after the module; each test runs in a savepoint within it (as
    Django's TestCase.setUpTestData does)."""

    @pytest.fixture(scope="module")
    def corpus(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            with transaction.atomic():
                built = build_corpus()
                yield built
                transaction.set_rollback(True)

    return corpus
