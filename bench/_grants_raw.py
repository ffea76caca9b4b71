"""The raw side of bench/grants.py: the same Lake Formation and Glue calls the portal
makes for same-account grants, straight with boto3, and the moto data both sides share;
with the CPU readings both sides use."""

import os
import time

LOCATION = "s3://bench-curated/curatedzonedb/"
ROLE = "arn:aws:iam::111111111111:role/meshportal/mp-bench-consumer"


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (/proc/<pid>/stat): what a
    process did, whatever else the shared machine was doing meanwhile."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    usage = os.times()
    return usage.user + usage.system


EXTRA_SQL = 20  # grants whose AWS calls and SQL are counted in-process


def paced_count(n: int) -> int:
    return min(n, 100)


def tables_count(n: int) -> int:
    """Tables to share: the burst's N, the paced ones, the counted ones, the drain's N."""
    return n + paced_count(n) + EXTRA_SQL + n


def seed_aws(server, n: int):
    glue, lf = server.client("glue"), server.client("lakeformation")
    glue.create_database(DatabaseInput={"Name": "curatedzonedb"})
    glue.create_database(DatabaseInput={"Name": "bench_sub_db"})
    for i in range(tables_count(n)):
        glue.create_table(
            DatabaseName="curatedzonedb",
            TableInput={
                "Name": f"table_{i}",
                "StorageDescriptor": {
                    "Columns": [{"Name": "id", "Type": "int"}],
                    "Location": f"{LOCATION}table_{i}/",
                },
            },
        )
    lf.register_resource(ResourceArn="arn:aws:s3:::bench-curated/curatedzonedb")


def baseline(n: int) -> list[tuple[float, float, float]]:
    """The calls the Lake Formation backend makes for n same-account grants, straight
    with boto3: in batches of SHARING_GRANT_BATCH_SIZE grants, a resource link each
    (glue.create_table), then their permissions (SELECT and DESCRIBE on the table,
    DESCRIBE on the link) in BatchGrantPermissions calls of twenty entries. Its
    registered-location look-up is remembered for a minute, so one list_resources serves
    the whole run.

    On a moto server of its own, seeded like the portal's, timed twice: n grants after
    the same number of untimed grants as the portal makes before its burst, then n more
    (as the drain follows the burst). moto keeps Lake Formation permissions in a list
    that every grant scans, so a call costs more the more grants came before it. Run on
    the portal's server first, the raw calls would leave theirs for the portal's calls to
    scan; run after, they would scan the portal's. Returns (seconds, client CPU, moto
    CPU) for each of the two.
    """
    from django.conf import settings

    from sharing.backends.lakeformation_batch import ENTRIES_PER_CALL
    from tests.conftest import MotoServer

    server = MotoServer()
    try:
        seed_aws(server, n)
        glue, lf = server.client("glue"), server.client("lakeformation")

        def table(database, i):
            return {"CatalogId": "111111111111", "DatabaseName": database, "Name": f"table_{i}"}

        def grant(numbers):
            entries = []
            for i in numbers:
                glue.create_table(
                    DatabaseName="bench_sub_db",
                    TableInput={"Name": f"table_{i}", "TargetTable": table("curatedzonedb", i)},
                )
                for resource, permissions in (
                    (table("curatedzonedb", i), ["SELECT", "DESCRIBE"]),
                    (table("bench_sub_db", i), ["DESCRIBE"]),
                ):
                    entries.append(
                        {
                            "Id": str(len(entries)),
                            "Principal": {"DataLakePrincipalIdentifier": ROLE},
                            "Resource": {"Table": resource},
                            "Permissions": permissions,
                        }
                    )
            for start in range(0, len(entries), ENTRIES_PER_CALL):
                lf.batch_grant_permissions(Entries=entries[start : start + ENTRIES_PER_CALL])

        def grant_all(numbers):
            size = settings.SHARING_GRANT_BATCH_SIZE
            for start in range(0, len(numbers), size):
                grant(numbers[start : start + size])

        first = EXTRA_SQL + paced_count(n)
        grant_all(list(range(2 * n, 2 * n + first)))  # what the portal grants first
        timed = []
        for numbers in (range(n), range(n, 2 * n)):  # as the burst, then as the drain
            started, cpu = time.perf_counter(), own_cpu()
            moto_cpu = cpu_seconds(server.process.pid)
            lf.list_resources()
            grant_all(list(numbers))
            timed.append(
                (
                    time.perf_counter() - started,
                    own_cpu() - cpu,
                    cpu_seconds(server.process.pid) - moto_cpu,
                )
            )
        return timed
    finally:
        server.stop()
