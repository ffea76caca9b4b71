"""Bulk statements with one array per column.

A batch writes tens of thousands of column and suggestion rows. Model instances and
per-value preparation cost more than PostgreSQL takes to store the rows, so these
statements send one array per column and let PostgreSQL ``unnest`` them: one query per
statement whatever the number of rows, no per-row Python objects, and values shared by
every row (the run, the time, a status) sent once. An array travels as one parameter in
PostgreSQL's text form ('{"a","b",NULL}'), which the server reads several times faster
than the ARRAY[...] expression the driver would make of a Python list.
"""

import json

from django.db import connection


def _array_type(model_field) -> str:
    db_type = model_field.db_type(connection)  # a foreign key has its target's type
    if db_type.startswith("varchar") or db_type == "text" or db_type == "jsonb":
        return "text"  # varchar(n) is checked on assignment, as with the ORM
    return db_type


def _is_json(model_field) -> bool:
    return model_field.get_internal_type() == "JSONField"


def _encode(model_field, value):
    if _is_json(model_field) and value is not None:
        return json.dumps(value, cls=model_field.encoder)
    return value


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _array_literal(values, model_field=None) -> str:
    """PostgreSQL's text form of an array of the field's values ('{"a",NULL}')."""
    kind = model_field.get_internal_type() if model_field is not None else ""
    if kind in ("CharField", "TextField"):
        items = ["NULL" if v is None else _quote(v) for v in values]
    elif kind == "BooleanField":
        items = ["NULL" if v is None else "t" if v else "f" for v in values]
    elif kind == "JSONField":
        encoder = model_field.encoder
        items = ["NULL" if v is None else _quote(json.dumps(v, cls=encoder)) for v in values]
    elif kind == "DateTimeField":
        items = ["NULL" if v is None else _quote(v.isoformat()) for v in values]
    else:  # numbers, UUIDs, foreign keys
        items = ["NULL" if v is None else _quote(str(v)) for v in values]
    return "{" + ",".join(items) + "}"


def _statement_parts(model, field_names, rows, constants=None, expressions=None):
    """Columns, SELECT list, FROM clause and parameters of a bulk statement.

    ``field_names`` are sent as arrays (one value per row), ``constants`` once for all
    rows, ``expressions`` are SQL of ours (such as ``gen_random_uuid()``).
    """
    constants, expressions = constants or {}, expressions or {}
    meta = model._meta
    columns, selects, select_params = [], [], []
    for name, sql in expressions.items():
        columns.append(meta.get_field(name).column)
        selects.append(sql)
    for name, value in constants.items():
        model_field = meta.get_field(name)
        columns.append(model_field.column)
        selects.append(f"%s::{'jsonb' if _is_json(model_field) else _array_type(model_field)}")
        select_params.append(_encode(model_field, value))
    fields = [meta.get_field(name) for name in field_names]
    arrays = [
        _array_literal(values, f) for f, values in zip(fields, zip(*rows, strict=True), strict=True)
    ]
    aliases = [f"c{i}" for i in range(len(fields))]
    for model_field, alias in zip(fields, aliases, strict=True):
        columns.append(model_field.column)
        selects.append(f"u.{alias}::jsonb" if _is_json(model_field) else f"u.{alias}")
    unnest = ", ".join(f"%s::{_array_type(f)}[]" for f in fields)
    source = f"unnest({unnest}) AS u({', '.join(aliases)})"
    return columns, selects, source, select_params, arrays


def bulk_insert(model, field_names, rows, *, constants=None, expressions=None) -> None:
    """INSERT ``rows`` (tuples in ``field_names`` order) in one statement.

    Values must be ready for the database: no model defaults are applied, so every
    required field is in ``field_names``, ``constants`` or ``expressions``.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    columns, selects, source, select_params, arrays = _statement_parts(
        model, field_names, rows, constants, expressions
    )
    # Identifiers come from the models' metadata; every value is a query parameter.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
        f"SELECT {', '.join(selects)} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*select_params, *arrays])


def bulk_update_rows(model, field_names, rows) -> None:
    """UPDATE rows by primary key in one statement; ``rows`` are ``(pk, *values)``."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns, selects, source, _, arrays = _statement_parts(
        model, [model._meta.pk.name, *field_names], rows
    )
    assignments = ", ".join(
        f"{quote(column)} = {value}" for column, value in zip(columns[1:], selects[1:], strict=True)
    )
    sql = (
        f"UPDATE {quote(model._meta.db_table)} AS t SET {assignments} FROM {source} "  # noqa: S608
        f"WHERE t.{quote(columns[0])} = {selects[0]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
