"""How fast the portal imports a big Glue database, and what it costs beyond reading it.

Creates N Glue tables of 20 columns in moto's standalone server (default N=10,000), then
in one run measures:

  (a) the baseline: raw boto3 paging of ``get_tables`` over the same HTTP path;
  (b) a first import through ``catalog.importing.execute_run``;
  (c) an unchanged re-import.

Each import runs in a fresh process of its own, as in a Celery worker (Django set up, the
boto3 client made, DEBUG off so Django keeps no query log), and is measured three times
over fresh data, because the instruments disturb each other:

  timed   wall seconds, and the peak resident set size of the worker process (psutil,
          sampled every 5 ms in a thread) — the figure compared with the 300 MB target;
  counted the SQL queries, with Django's CaptureQueriesContext (which keeps every
          statement's text, so it is not on while memory is measured);
  traced  the peak of Python's own allocations during the import (tracemalloc, which
          slows Python down several times, so it is not on while time is measured).

Last, two small data sets (M tables of 5 and of 40 columns) show that the number of SQL
queries does not depend on the number of columns: a first import, an unchanged
re-import, and a re-import after a column was added to every table.

    .venv/bin/python bench/import_glue.py [N] [--small M] [--workers W]
"""

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

from _harness import PeakRss, bench_database, bench_project, moto_server  # noqa: I001

DATABASE = "benchdb"
COLUMNS = 20
TYPES = ["bigint", "string", "int", "double", "timestamp", "decimal(10,2)", "date", "boolean"]
MODES = ("timed", "counted", "traced")


# --- data in moto -----------------------------------------------------------------------


def table_input(i: int, columns: int, extra: int = 0) -> dict:
    """An external Parquet table: ``columns - 1`` data columns and one partition key."""
    data = [
        {"Name": f"column_{c:02d}_amt", "Type": TYPES[c % len(TYPES)]}
        for c in range(columns - 1 + extra)
    ]
    return {
        "Name": f"table_{i:06d}",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE"},
        "StorageDescriptor": {
            "Columns": data,
            "Location": f"s3://bench-lake/curated/table_{i:06d}/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {
                "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
            },
        },
        "PartitionKeys": [{"Name": "event_dt", "Type": "date"}],
    }


def create_tables(glue, database: str, n: int, columns: int, workers: int) -> float:
    """Glue has no batch create for tables: create_table from a thread pool."""
    glue.create_database(DatabaseInput={"Name": database})
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(
            pool.map(
                lambda i: glue.create_table(
                    DatabaseName=database, TableInput=table_input(i, columns)
                ),
                range(n),
            )
        )
    return time.perf_counter() - started


def add_a_column_everywhere(glue, database: str, n: int, columns: int, workers: int) -> None:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(
            pool.map(
                lambda i: glue.update_table(
                    DatabaseName=database, TableInput=table_input(i, columns, extra=1)
                ),
                range(n),
            )
        )


def baseline(glue, database: str) -> tuple[float, int]:
    """Raw boto3: page through get_tables with NextToken, keeping the tables."""
    started = time.perf_counter()
    tables, kwargs = [], {"DatabaseName": database}
    while True:
        page = glue.get_tables(**kwargs)
        tables.extend(page["TableList"])
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    return time.perf_counter() - started, len(tables)


# --- one import in a worker-like process --------------------------------------------------


def child(mode: str, run_id: str, database_name: str) -> None:
    """Run one import as a worker would and print what ``mode`` measures (one JSON line)."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.importing import execute_run
    from catalog.models import DataSourceRun
    from meshportal import aws

    settings.DEBUG = False  # as in production: no query log kept by Django
    connection.settings_dict["NAME"] = database_name
    run = DataSourceRun.objects.select_related("data_source__environment__profile").get(pk=run_id)
    profile = run.data_source.environment.profile
    aws.client("glue", account=profile.aws_account, region=profile.region)  # a worker has it
    gc.collect()
    result = {}
    if mode == "timed":
        queries = []
        with (
            PeakRss() as rss,
            connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)),
        ):
            started = time.perf_counter()
            status = execute_run(run_id)
            result["wall"] = time.perf_counter() - started
        result.update(rss_before=rss.before, rss_peak=rss.peak, queries=len(queries))
    elif mode == "counted":
        with CaptureQueriesContext(connection) as captured:
            status = execute_run(run_id)
        result["queries"] = len(captured.captured_queries)
        result["sql_bytes"] = sum(len(q["sql"]) for q in captured.captured_queries)
    else:
        tracemalloc.start()
        status = execute_run(run_id)
        result["traced_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    run.refresh_from_db()
    result.update(
        status=status,
        error=run.error_message,
        **{k: getattr(run, k) for k in ("added", "updated", "unchanged", "archived", "failed")},
    )
    print("RESULT " + json.dumps(result), flush=True)


def import_in_worker(source, mode: str) -> dict:
    from django.db import connection

    from catalog.choices import RunType
    from catalog.models import DataSourceRun

    run = DataSourceRun.objects.create(data_source=source, type=RunType.PRIORITIZED)
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(run.pk), connection.settings_dict["NAME"]],
        capture_output=True,
        text=True,
        env=os.environ,
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"the {mode} import failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    result = json.loads(line.removeprefix("RESULT "))
    if result["status"] != "SUCCESS":
        raise RuntimeError(f"the {mode} import ended {result['status']}: {result['error']}")
    return result


def query_count(source) -> int:
    """Queries of one import in this process (small data sets only)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.choices import RunType
    from catalog.importing import execute_run
    from catalog.models import DataSourceRun

    run = DataSourceRun.objects.create(data_source=source, type=RunType.PRIORITIZED)
    with CaptureQueriesContext(connection) as queries:
        assert execute_run(run.pk) == "SUCCESS"
    return len(queries.captured_queries)


# --- the portal side ----------------------------------------------------------------------


def portal_sources(databases: list[str]):
    """A project with an ACTIVE DATA_LAKE environment and one GLUE data source per database."""
    from catalog import services as catalog_services
    from tests.projects.factories import EnvironmentFactory

    user, project, profile = bench_project()
    environment = EnvironmentFactory(project=project, profile=profile, name="bench-lake")
    return [
        catalog_services.data_source_create(
            acting_user=user,
            project=project,
            environment=environment,
            name=database,
            type="GLUE",
            database_name=database,
        )
        for database in databases
    ]


def wipe(source) -> None:
    """Forget what the source imported, so that the next run is a first import again."""
    from catalog.models import Asset, DataSourceRun

    Asset.objects.filter(data_source=source).delete()
    DataSourceRun.objects.filter(data_source=source).delete()


# --- main ---------------------------------------------------------------------------------


def mb(n: float) -> str:
    return f"{n / 2**20:.1f} MB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000, help="Glue tables (20 columns)")
    parser.add_argument("--small", type=int, default=200, help="tables per small data set")
    parser.add_argument("--workers", type=int, default=8, help="threads creating tables")
    args = parser.parse_args()
    n = args.n

    with moto_server() as server, bench_database("bench_meshportal_import_glue"):
        glue = server.client("glue")
        created = create_tables(glue, DATABASE, n, COLUMNS, args.workers)
        print(f"Glue import of {n} tables x {COLUMNS} columns from moto's server")
        print(f"  created the tables in moto: {created:.1f} s ({args.workers} threads)")

        baseline(glue, DATABASE)  # warm moto and the client once
        runs = [baseline(glue, DATABASE) for _ in range(3)]
        assert all(count == n for _, count in runs), runs
        base = statistics.median(t for t, _ in runs)
        print(
            f"  (a) raw boto3 get_tables: {base:.2f} s, {n / base:.0f} tables/s "
            f"(median of {', '.join(f'{t:.2f}' for t, _ in runs)})"
        )

        small = {5: "small_5_columns", 40: "small_40_columns"}
        for columns, database in small.items():
            create_tables(glue, database, args.small, columns, args.workers)
        source, *small_sources = portal_sources([DATABASE, *small.values()])

        results = {}
        for mode in MODES:
            wipe(source)
            results[mode] = {
                "first": import_in_worker(source, mode),
                "again": import_in_worker(source, mode),
            }

        labels = {"first": "(b) first import", "again": "(c) unchanged re-import"}
        for key, label in labels.items():
            timed, counted, traced = (results[m][key] for m in MODES)
            print(
                f"  {label}: {timed['wall']:.2f} s, {n / timed['wall']:.0f} tables/s, "
                f"{timed['wall'] / base:.2f}x the baseline"
            )
            print(
                f"      added {timed['added']}, updated {timed['updated']}, unchanged "
                f"{timed['unchanged']}, failed {timed['failed']}"
            )
            print(
                f"      SQL queries: {counted['queries']} (CaptureQueriesContext; "
                f"{timed['queries']} in the timed pass), statements' text {mb(counted['sql_bytes'])}"
            )
            print(
                f"      worker RSS peak {mb(timed['rss_peak'])} "
                f"(+{mb(timed['rss_peak'] - timed['rss_before'])} over {mb(timed['rss_before'])} "
                f"before the import); tracemalloc peak {mb(traced['traced_peak'])}"
            )

        counts = {}
        for (columns, database), small_source in zip(small.items(), small_sources, strict=True):
            first = query_count(small_source)
            again = query_count(small_source)
            add_a_column_everywhere(glue, database, args.small, columns, args.workers)
            changed = query_count(small_source)
            counts[columns] = (first, again, changed)
        print(f"  SQL queries by columns per table ({args.small} tables each):")
        for columns, (first, again, changed) in counts.items():
            print(
                f"      {columns:2d} columns: first import {first}, unchanged re-import {again}, "
                f"re-import with a column added to every table {changed}"
            )

    first, again = results["timed"]["first"], results["timed"]["again"]
    peak = max(first["rss_peak"], again["rss_peak"])
    print("Targets:")
    print(f"  first import >= 400 tables/s:         {n / first['wall']:.0f} tables/s")
    print(f"  unchanged re-import <= 1.5x baseline: {again['wall'] / base:.2f}x")
    print(
        f"  queries independent of columns:       "
        f"{'yes' if counts[5] == counts[40] else 'NO'} ({counts[5]} vs {counts[40]})"
    )
    print(f"  peak memory < 300 MB:                 worker RSS peak {mb(peak)}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    else:
        main()
