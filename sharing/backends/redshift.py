"""Redshift grants on the cluster that holds the table, over SQL.

Redshift speaks the PostgreSQL protocol but grants to a role with ``TO ROLE name``, where
PostgreSQL says ``TO name``; which one answers is detected from ``version()``. Sharing
with another cluster or account needs a datashare, which the stand-in cluster (a plain
PostgreSQL) cannot run: such a grant is MANUAL, and says so, rather than pretending.
"""

from dataclasses import dataclass

from .base import GrantError

REDSHIFT = "REDSHIFT"
POSTGRESQL = "POSTGRESQL"


@dataclass(frozen=True)
class ClusterRef:
    """Where a table lives (or a consumer queries): host, port and database."""

    host: str
    port: int
    database: str

    @classmethod
    def of(cls, parameters: dict) -> "ClusterRef":
        return cls(
            str(parameters.get("host", "")).lower(),
            int(parameters.get("port", 5439)),
            str(parameters.get("database", "")),
        )


@dataclass(frozen=True)
class RedshiftGrant:
    """Share ``schema.table`` of ``producer`` with ``role`` of a consumer on ``consumer``."""

    producer: ClusterRef
    schema: str
    table: str
    role: str
    consumer: ClusterRef

    @property
    def same_cluster(self) -> bool:
        return self.producer == self.consumer

    def manual_reason(self) -> str | None:
        """Why this grant cannot be automated, or None."""
        if not self.same_cluster:
            return (
                f"The table is on {self.producer.host}:{self.producer.port}/"
                f"{self.producer.database} and the environment on {self.consumer.host}:"
                f"{self.consumer.port}/{self.consumer.database}: sharing across clusters "
                "needs a Redshift datashare, which the portal does not create. The producing "
                "team must set it up and mark this grant done."
            )
        if not self.role:
            return "The environment has no Redshift role; finish provisioning it first."
        return None


def quote(identifier: str) -> str:
    """A SQL identifier, quoted the same way by Redshift and PostgreSQL."""
    if "\x00" in identifier:
        raise ValueError("identifier contains NUL")
    return '"' + identifier.replace('"', '""') + '"'


def statements(dialect: str, spec: RedshiftGrant, *, schema_usage: bool = True) -> dict:
    """The grant and revoke statements in the dialect that answers (lists of SQL text)."""
    to = "TO ROLE " if dialect == REDSHIFT else "TO "
    frm = "FROM ROLE " if dialect == REDSHIFT else "FROM "
    schema = quote(spec.schema)
    table = f"{schema}.{quote(spec.table)}"
    role = quote(spec.role)
    grant = [f"GRANT SELECT ON TABLE {table} {to}{role}"]
    revoke = [f"REVOKE SELECT ON TABLE {table} {frm}{role}"]
    if schema_usage:
        grant.insert(0, f"GRANT USAGE ON SCHEMA {schema} {to}{role}")
        revoke.append(f"REVOKE USAGE ON SCHEMA {schema} {frm}{role}")
    return {"grant": grant, "revoke": revoke}


def detect_dialect(connection) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0] or ""
    return REDSHIFT if "redshift" in version.lower() else POSTGRESQL


def _run(connection, sqls: list[str], label: str) -> None:
    import psycopg2

    with connection.cursor() as cursor:
        for sql in sqls:
            try:
                cursor.execute(sql)
            except psycopg2.Error as error:
                code = getattr(error, "pgcode", "") or ""
                text = str(error).strip().splitlines()[0]
                if code == "42501":
                    message = (
                        f"{label}: the portal's database user may not do this ({text}). It must "
                        "own the table or hold SELECT on it WITH GRANT OPTION; fix that, then retry."
                    )
                elif code in {"42P01", "3F000", "42704"}:
                    message = (
                        f"{label}: {text}. The table, schema or role is gone: run the data "
                        "source (or the environment's provisioning) again, then retry."
                    )
                else:
                    message = f"{label}: the cluster refused `{sql}` ({text})."
                # Connection-level trouble is worth another try; SQL errors are not.
                transient = isinstance(error, psycopg2.OperationalError) and code[:2] != "42"
                raise GrantError(message, transient=transient) from error


class RedshiftBackend:
    """Runs the statements on an open autocommit connection to the producer's cluster."""

    def grant(self, connection, spec: RedshiftGrant) -> dict:
        reason = spec.manual_reason()
        if reason:
            raise GrantError(reason, transient=False)
        dialect = detect_dialect(connection)
        texts = statements(dialect, spec)
        _run(connection, texts["grant"], f"Granting SELECT on {spec.schema}.{spec.table}")
        return {
            "backend": "REDSHIFT",
            "dialect": dialect,
            "cluster": {
                "host": spec.producer.host,
                "port": spec.producer.port,
                "database": spec.producer.database,
            },
            "schema": spec.schema,
            "table": spec.table,
            "principals": [spec.role],
            "permissions": ["USAGE ON SCHEMA", "SELECT"],
            "object": f"{spec.schema}.{spec.table}",
            "statements": texts["grant"],
        }

    def revoke(self, connection, target: dict, *, keep_schema_usage: bool = False) -> dict:
        """Take SELECT away (and USAGE on the schema unless another grant of the same
        role in that schema still needs it). Revoking what is not granted is a no-op in
        both dialects, so a retry is harmless."""
        spec = RedshiftGrant(
            producer=ClusterRef(**target["cluster"]),
            schema=target["schema"],
            table=target["table"],
            role=target["principals"][0],
            consumer=ClusterRef(**target["cluster"]),
        )
        dialect = detect_dialect(connection)
        texts = statements(dialect, spec, schema_usage=not keep_schema_usage)
        _run(connection, texts["revoke"], f"Revoking SELECT on {spec.schema}.{spec.table}")
        return dict(target, revoked_with=texts["revoke"])
