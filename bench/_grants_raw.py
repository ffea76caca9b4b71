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


# The drain is measured this many times, each right after the raw loop's matching run:
# moto's speed on this shared machine drifts between minutes, and one pair measured
# together says more than two measured a minute apart; the median ratio is the figure.
DRAINS = 3


def tables_count(n: int) -> int:
    """Tables to share: the burst's N, the paced ones, the counted ones, each drain's N."""
    return n + paced_count(n) + EXTRA_SQL + DRAINS * n


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


class RawLoop:
    """The calls the Lake Formation backend makes for same-account grants, straight with
    boto3: in batches of SHARING_GRANT_BATCH_SIZE grants, a resource link each
    (glue.create_table), then their permissions (SELECT and DESCRIBE on the table,
    DESCRIBE on the link) in BatchGrantPermissions calls of twenty entries. Its
    registered-location look-up is remembered for a minute, so one list_resources serves
    each timed run.

    On a moto server of its own, seeded like the portal's, kept up while the portal runs
    so that each timed run can happen next to the portal's matching one. It first grants,
    untimed, as many as the portal grants before its burst: moto keeps Lake Formation
    permissions in a list that every grant scans, so a call costs more the more grants
    came before it, and each timed run must find as many as the portal's did. Run on
    the portal's server, the raw calls would leave theirs for the portal's calls to scan.
    """

    def __enter__(self):
        from tests.conftest import MotoServer

        self.server = MotoServer()
        return self

    def __exit__(self, *exc):
        self.server.stop()

    def seed(self, n: int) -> None:
        seed_aws(self.server, n)
        self.glue, self.lf = self.server.client("glue"), self.server.client("lakeformation")
        first = EXTRA_SQL + paced_count(n)
        last = tables_count(n)
        self._grant_all(list(range(last - first, last)))  # what the portal grants first

    def timed(self, numbers) -> tuple[float, float, float]:
        """Grant tables ``numbers``; (seconds, client CPU, moto CPU)."""
        started, cpu = time.perf_counter(), own_cpu()
        moto_cpu = cpu_seconds(self.server.process.pid)
        self.lf.list_resources()
        self._grant_all(list(numbers))
        return (
            time.perf_counter() - started,
            own_cpu() - cpu,
            cpu_seconds(self.server.process.pid) - moto_cpu,
        )

    def _grant_all(self, numbers) -> None:
        from django.conf import settings

        size = settings.SHARING_GRANT_BATCH_SIZE
        for start in range(0, len(numbers), size):
            self._grant(numbers[start : start + size])

    def _grant(self, numbers) -> None:
        from sharing.backends.lakeformation_batch import ENTRIES_PER_CALL

        def table(database, i):
            return {"CatalogId": "111111111111", "DatabaseName": database, "Name": f"table_{i}"}

        entries = []
        for i in numbers:
            self.glue.create_table(
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
            self.lf.batch_grant_permissions(Entries=entries[start : start + ENTRIES_PER_CALL])
