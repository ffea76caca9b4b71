"""Full snapshots of assets, stored in revisions (and later in listings)."""


def column_snapshot(column) -> dict:
    return {
        "name": column.name,
        "data_type": column.data_type,
        "position": column.position,
        "is_partition_key": column.is_partition_key,
        "source_comment": column.source_comment,
        "business_name": column.business_name,
        "description": column.description,
    }


def asset_snapshot(asset, columns) -> dict:
    """Everything a revision records about an asset, business metadata included."""
    return {
        "type": asset.type,
        "technical_name": asset.technical_name,
        "database_name": asset.database_name,
        "schema_name": asset.schema_name,
        "external_identifier": asset.external_identifier,
        "business_name": asset.business_name,
        "description": asset.description,
        "technical_metadata": asset.technical_metadata,
        "content_hash": asset.content_hash,
        "columns": [column_snapshot(c) for c in sorted(columns, key=lambda c: c.position)],
    }


def technical_changes(old_asset, new_table, old_columns, new_columns) -> list[str]:
    """Human-readable lines describing what the source changed."""
    changes = []
    old_by_name = {c.name: c for c in old_columns}
    new_by_name = {c.name: c for c in new_columns}
    for name in new_by_name.keys() - old_by_name.keys():
        column = new_by_name[name]
        changes.append(f"Column {name} added ({column.data_type})")
    for name in old_by_name.keys() - new_by_name.keys():
        changes.append(f"Column {name} removed")
    for name in old_by_name.keys() & new_by_name.keys():
        old, new = old_by_name[name], new_by_name[name]
        if old.data_type != new.data_type:
            changes.append(f"Column {name} type changed from {old.data_type} to {new.data_type}")
        if old.is_partition_key != new.is_partition_key:
            changes.append(
                f"Column {name} {'became' if new.is_partition_key else 'is no longer'} a partition key"
            )
        if old.source_comment != new.comment:
            changes.append(f"Column {name} comment changed")
    if not changes and [c.name for c in sorted(old_columns, key=lambda c: c.position)] != [
        c.name for c in new_columns
    ]:
        changes.append("Column order changed")
    old_meta, new_meta = old_asset.technical_metadata or {}, new_table.metadata
    for key in sorted(set(old_meta) | set(new_meta)):
        if old_meta.get(key) != new_meta.get(key):
            label = key.replace("_", " ")
            if isinstance(new_meta.get(key), str) and isinstance(old_meta.get(key), str):
                changes.append(
                    f"{label.capitalize()} changed from {old_meta.get(key) or '(none)'} to "
                    f"{new_meta.get(key) or '(none)'}"
                )
            else:
                changes.append(f"{label.capitalize()} changed")
    if old_asset.type != new_table.type:
        changes.append(f"Type changed from {old_asset.type} to {new_table.type}")
    return sorted(changes) if changes else ["Technical metadata changed"]
