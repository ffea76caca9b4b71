"""Counts the queries a block runs and the bytes PostgreSQL sent back for them.

Why: what a request holds in memory is, first of all, what it fetched. Counting the
bytes of every result (psycopg keeps the whole result of a client-side cursor) makes
"this page does not load every glossary description once per term" a plain assertion.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection


@dataclass
class FetchMeter:
    queries: list = field(default_factory=list)
    bytes_fetched: int = 0

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        raw = getattr(context["cursor"], "cursor", None)
        size = 0
        # psycopg2 holds a client-side cursor's whole result: read it once for its size,
        # then rewind so Django reads it as if nothing happened.
        if raw is not None and raw.description is not None and not many:
            rows = raw.fetchall()
            for row in rows:
                size += sum(len(str(value)) for value in row if value is not None)
            if rows:
                raw.scroll(0, mode="absolute")
        self.queries.append((sql, size))
        self.bytes_fetched += size
        return result

    @property
    def count(self) -> int:
        return len(self.queries)

    def biggest(self) -> str:
        sql, size = max(self.queries, key=lambda q: q[1])
        return f"{size:,} bytes: {sql[:300]}"


@contextmanager
def fetch_meter():
    meter = FetchMeter()
    with connection.execute_wrapper(meter):
        yield meter
