"""Reading table metadata from the source systems: AWS Glue and Amazon Redshift.

Each reader yields raw table records; ``to_source_table`` turns one into a SourceTable
or raises MalformedTable, so that one bad table fails only its own activity. Errors that
stop the whole listing are raised as SourceError with the run's error type.
"""

import copy
import fnmatch
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from botocore.exceptions import BotoCoreError, ClientError

from meshportal import aws
from projects import redshift

from .choices import AssetType, DataSourceType, FilterType, RunErrorType


class SourceError(Exception):
    """The source could not be listed; the run fails with this error type and message."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type
        self.message = message


class MalformedTable(Exception):
    """One table's metadata cannot be imported; its activity fails with this message."""


@dataclass
class SourceColumn:
    name: str
    data_type: str
    position: int
    is_partition_key: bool = False
    comment: str = ""


@dataclass
class SourceTable:
    name: str
    type: str
    external_identifier: str
    database: str
    schema: str
    columns: list[SourceColumn]
    metadata: dict = field(default_factory=dict)
    updated_at: datetime | None = None

    @cached_property
    def content_hash(self) -> str:
        """Hash of what the source says about the table (not its update time)."""
        payload = {
            "type": self.type,
            "columns": [
                [c.name, c.data_type, c.position, c.is_partition_key, c.comment]
                for c in self.columns
            ],
            "metadata": self.metadata,
        }
        encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(encoded.encode()).hexdigest()


def table_matches(name: str, expressions: list[dict]) -> bool:
    """Glob filters on the table name: no INCLUDE means all; an EXCLUDE match wins."""
    lowered = name.lower()
    includes = [e["expression"].lower() for e in expressions if e.get("type") == FilterType.INCLUDE]
    excludes = [e["expression"].lower() for e in expressions if e.get("type") == FilterType.EXCLUDE]
    if any(fnmatch.fnmatchcase(lowered, pattern) for pattern in excludes):
        return False
    return not includes or any(fnmatch.fnmatchcase(lowered, pattern) for pattern in includes)


# --- Glue ---------------------------------------------------------------------------------

_GLUE_ERRORS = {
    "EntityNotFoundException": RunErrorType.RESOURCE_NOT_FOUND,
    "ThrottlingException": RunErrorType.THROTTLING,
    "Throttling": RunErrorType.THROTTLING,
    "TooManyRequestsException": RunErrorType.THROTTLING,
    "InvalidInputException": RunErrorType.VALIDATION,
    "ValidationException": RunErrorType.VALIDATION,
}


def _glue_source_error(error, data_source, account) -> SourceError:
    code = aws.error_code(error)
    detail = aws.describe_error(error)
    if code in aws.ACCESS_DENIED_CODES:
        return SourceError(
            RunErrorType.ACCESS_DENIED,
            f"The portal may not read Glue database '{data_source.database_name}' in account "
            f"{account.account_id} ({detail}). Ask a platform admin to grant "
            "glue:GetTables to the portal's role, then run again.",
        )
    error_type = _GLUE_ERRORS.get(code, RunErrorType.INTERNAL)
    if error_type == RunErrorType.RESOURCE_NOT_FOUND:
        return SourceError(
            error_type,
            f"Glue database '{data_source.database_name}' does not exist in account "
            f"{account.account_id} ({account.region}). Check the data source's database "
            f"name ({detail}).",
        )
    if error_type == RunErrorType.THROTTLING:
        return SourceError(
            error_type,
            f"AWS kept throttling the portal's Glue requests after retries ({detail}). Run "
            "again later.",
        )
    if isinstance(error, BotoCoreError):
        return SourceError(
            RunErrorType.INTERNAL, f"AWS could not be reached ({detail}). Run again later."
        )
    return SourceError(error_type, f"Glue refused to list the tables ({detail}).")


def glue_tables(data_source) -> tuple[list[dict], callable]:
    """Every table of the Glue database (paging with NextToken), and the converter."""
    environment = data_source.environment
    account = environment.profile.aws_account
    region = environment.profile.region
    glue = aws.client("glue", account=account, region=region)
    tables: list[dict] = []
    kwargs = {"DatabaseName": data_source.database_name}
    try:
        while True:
            page = glue.get_tables(**kwargs)
            tables.extend(page.get("TableList", []))
            token = page.get("NextToken")
            if not token:
                break
            kwargs["NextToken"] = token
    except (ClientError, BotoCoreError) as error:
        raise _glue_source_error(error, data_source, account) from error

    def convert(raw: dict) -> SourceTable:
        return glue_to_source_table(raw, account_id=account.account_id, region=region)

    return tables, convert


def _glue_format(descriptor: dict, parameters: dict) -> str:
    classification = parameters.get("classification") or descriptor.get("Parameters", {}).get(
        "classification"
    )
    if classification:
        return classification.lower()
    hints = " ".join(
        [
            descriptor.get("InputFormat", ""),
            descriptor.get("SerdeInfo", {}).get("SerializationLibrary", ""),
        ]
    ).lower()
    for fmt in ("parquet", "orc", "avro", "json", "csv", "iceberg"):
        if fmt in hints:
            return fmt
    return "text" if "text" in hints else ""


def glue_to_source_table(raw: dict, *, account_id: str, region: str) -> SourceTable:
    name = raw.get("Name")
    if not name:
        raise MalformedTable("The table has no name.")
    database = raw.get("DatabaseName", "")
    descriptor = raw.get("StorageDescriptor") or {}
    table_type = raw.get("TableType", "")
    columns = []
    for position, column in enumerate(descriptor.get("Columns") or [], start=1):
        columns.append(_glue_column(name, column, position, partition=False))
    for column in raw.get("PartitionKeys") or []:
        columns.append(_glue_column(name, column, len(columns) + 1, partition=True))
    if not columns:
        raise MalformedTable(
            f"Table '{name}' has no columns in its Glue definition (no StorageDescriptor "
            "columns or partition keys); fix the table in Glue and run again."
        )
    seen = set()
    for column in columns:
        if column.name in seen:
            raise MalformedTable(f"Table '{name}' defines column '{column.name}' twice.")
        seen.add(column.name)
    parameters = raw.get("Parameters") or {}
    metadata = {
        "location": descriptor.get("Location", ""),
        "format": _glue_format(descriptor, parameters),
        "input_format": descriptor.get("InputFormat", ""),
        "output_format": descriptor.get("OutputFormat", ""),
        "serde": (descriptor.get("SerdeInfo") or {}).get("SerializationLibrary", ""),
        "table_type": table_type,
        "parameters": {k: str(v) for k, v in sorted(parameters.items())},
        "source_description": raw.get("Description", ""),
    }
    if table_type == "VIRTUAL_VIEW":
        metadata["view_text"] = raw.get("ViewOriginalText", "")
    return SourceTable(
        name=name,
        type=AssetType.GLUE_VIEW if table_type == "VIRTUAL_VIEW" else AssetType.GLUE_TABLE,
        external_identifier=f"arn:aws:glue:{region}:{account_id}:table/{database}/{name}",
        database=database,
        schema="",
        columns=columns,
        metadata=metadata,
        updated_at=raw.get("UpdateTime"),
    )


def _glue_column(table: str, column: dict, position: int, *, partition: bool) -> SourceColumn:
    name = (column.get("Name") or "").strip()
    data_type = (column.get("Type") or "").strip()
    if not name:
        raise MalformedTable(f"Table '{table}' has a column without a name.")
    if not data_type:
        raise MalformedTable(f"Column '{name}' of table '{table}' has no type.")
    return SourceColumn(
        name=name,
        data_type=data_type,
        position=position,
        is_partition_key=partition,
        comment=column.get("Comment") or "",
    )


# --- Redshift -----------------------------------------------------------------------------

_REDSHIFT_COLUMNS = """
SELECT t.table_name, t.table_type, c.column_name, c.data_type, c.ordinal_position,
       c.character_maximum_length, c.numeric_precision, c.numeric_scale
FROM information_schema.tables t
LEFT JOIN information_schema.columns c
  ON c.table_schema = t.table_schema AND c.table_name = t.table_name
WHERE t.table_catalog = %(database)s AND t.table_schema = %(schema)s
ORDER BY t.table_name, c.ordinal_position
"""


# What the cluster answers (libpq passes the server's FATAL message on) for a user or a
# database it does not have; connection errors carry no SQLSTATE in psycopg2.
_UNKNOWN_ROLE = re.compile(r'role "[^"]*" does not exist')
_UNKNOWN_DATABASE = re.compile(r'database "[^"]*" does not exist')


def _redshift_connection_error(error, data_source, host: str) -> SourceError:
    """The run's error for a connection the cluster refused (or never answered)."""
    cause = str(error.__cause__ or "")
    # An unknown user is an access problem, whatever the cluster's authentication method.
    if error.auth_failed or _UNKNOWN_ROLE.search(cause):
        return SourceError(RunErrorType.ACCESS_DENIED, error.message)
    missing = _UNKNOWN_DATABASE.search(cause)
    if missing:
        return SourceError(
            RunErrorType.RESOURCE_NOT_FOUND,
            f"Redshift database '{data_source.database_name}' does not exist on {host} "
            f"({missing.group(0)}). Check the data source's database.",
        )
    return SourceError(RunErrorType.INTERNAL, error.message)


def redshift_tables(data_source) -> tuple[list[dict], callable]:
    """Tables and views of the schema with their columns, from information_schema."""
    # information_schema shows the connected database only: connect to the data source's
    # database (the profile names the cluster's default one).
    profile = copy.copy(data_source.environment.profile)
    profile.parameters = {**profile.parameters, "database": data_source.database_name}
    host = profile.parameters.get("host", "")
    schema = data_source.schema_name or "public"
    connection = _redshift_connect(profile, data_source, host)
    rows = _redshift_column_rows(connection, data_source, schema)
    tables = _redshift_group_columns(rows)

    def convert(raw: dict) -> SourceTable:
        if not raw["columns"]:
            raise MalformedTable(f"Table '{raw['name']}' has no columns the portal can see.")
        return SourceTable(
            name=raw["name"],
            type=AssetType.REDSHIFT_VIEW
            if raw["table_type"] == "VIEW"
            else AssetType.REDSHIFT_TABLE,
            external_identifier=f"redshift://{host}/{data_source.database_name}/{schema}/{raw['name']}",
            database=data_source.database_name,
            schema=schema,
            columns=[SourceColumn(name=c, data_type=t, position=p) for c, t, p in raw["columns"]],
            metadata={"table_type": raw["table_type"]},
        )

    return tables, convert


def _redshift_connect(profile, data_source, host):
    """A connection to the data source's database; a failure is a SourceError that says
    what to check (the cluster, or the password's secret in Secrets Manager)."""
    try:
        return redshift.connect(profile)
    except redshift.ClusterConnectionError as error:
        raise _redshift_connection_error(error, data_source, host) from error
    except ClientError as error:  # the password's secret in Secrets Manager
        code = aws.error_code(error)
        if code in aws.ACCESS_DENIED_CODES:
            error_type = RunErrorType.ACCESS_DENIED
        elif code in aws.NOT_FOUND_CODES:
            error_type = RunErrorType.RESOURCE_NOT_FOUND
        else:
            error_type = RunErrorType.INTERNAL
        raise SourceError(
            error_type,
            f"The Redshift password could not be read from Secrets Manager "
            f"({profile.parameters.get('secret_arn', '')}: {aws.describe_error(error)}). "
            "Check the profile's secret and the portal's access to it.",
        ) from error


def _redshift_column_rows(connection, data_source, schema: str) -> list[tuple]:
    """The schema's (table, type, column, data type, position, length, precision, scale)
    rows; closes the connection."""
    import psycopg2

    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [schema]
            )
            if cursor.fetchone() is None:
                raise SourceError(
                    RunErrorType.RESOURCE_NOT_FOUND,
                    f"Schema '{schema}' does not exist in Redshift database "
                    f"'{data_source.database_name}' (or the portal's user may not "
                    "see it). Check the data source's schema.",
                )
            cursor.execute(
                _REDSHIFT_COLUMNS, {"database": data_source.database_name, "schema": schema}
            )
            return cursor.fetchall()
    except psycopg2.Error as error:
        raise SourceError(
            RunErrorType.ACCESS_DENIED
            if getattr(error, "pgcode", "") == "42501"
            else RunErrorType.INTERNAL,
            f"Reading information_schema failed: {str(error).strip()}",
        ) from error
    finally:
        connection.close()


def _redshift_group_columns(rows) -> list[dict]:
    """One raw table a name, its columns in order with Redshift's type spelling
    (``varchar(256)``, ``numeric(12,2)``)."""
    tables: dict[str, dict] = {}
    for name, table_type, column, data_type, position, length, precision, scale in rows:
        table = tables.setdefault(name, {"name": name, "table_type": table_type, "columns": []})
        if column is not None:
            if length and "char" in data_type:
                data_type = f"{data_type}({length})"
            elif data_type == "numeric" and precision:
                data_type = f"numeric({precision},{scale or 0})"
            table["columns"].append((column, data_type, position))
    return list(tables.values())


def list_tables(data_source):
    """(raw tables, converter) for the data source's type."""
    if data_source.type == DataSourceType.GLUE:
        return glue_tables(data_source)
    return redshift_tables(data_source)


def raw_table_name(raw: dict) -> str:
    return str(raw.get("Name") or raw.get("name") or "")
