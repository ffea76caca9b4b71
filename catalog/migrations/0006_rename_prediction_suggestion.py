"""Prediction → Suggestion, the word the pages use (issue 8).

A rename only: the table, its rows and its constraints keep their data (the constraints
and partial unique indexes are renamed in place, not rebuilt). Stored values do not
change: a revision's reason stays ``PREDICTION``, which the API has always returned."""

import django.db.models.deletion
from django.db import migrations, models

# (old name, new name, is a partial unique index rather than a table constraint)
RENAMES = [
    ("prediction_one_open_name_per_asset", "suggestion_one_open_name_per_asset", True),
    ("prediction_one_open_name_per_column", "suggestion_one_open_name_per_column", True),
    ("prediction_term_once_per_asset", "suggestion_term_once_per_asset", True),
    ("prediction_term_once_per_column", "suggestion_term_once_per_column", True),
    ("prediction_term_only_for_term_kind", "suggestion_term_only_for_term_kind", False),
]


def _rename_sql(old: str, new: str, is_index: bool) -> str:
    if is_index:
        return f"ALTER INDEX {old} RENAME TO {new}"
    return f"ALTER TABLE catalog_suggestion RENAME CONSTRAINT {old} TO {new}"


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_rename_data_source_database_schema"),
    ]

    operations = [
        migrations.RenameModel(old_name="Prediction", new_name="Suggestion"),
        migrations.AlterField(
            model_name="suggestion",
            name="asset",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="suggestions",
                to="catalog.asset",
            ),
        ),
        migrations.AlterField(
            model_name="suggestion",
            name="column",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="suggestions",
                to="catalog.assetcolumn",
            ),
        ),
        migrations.AlterField(
            model_name="assetrevision",
            name="reason",
            field=models.CharField(
                choices=[
                    ("IMPORT", "Imported"),
                    ("EDIT", "Edited"),
                    ("PREDICTION", "Suggestion accepted"),
                ],
                max_length=16,
            ),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(_rename_sql(old, new, is_index), _rename_sql(new, old, is_index))
                for old, new, is_index in RENAMES
            ],
            state_operations=[
                *(
                    migrations.RemoveConstraint(model_name="suggestion", name=old)
                    for old, _new, _is_index in RENAMES
                ),
                migrations.AddConstraint(
                    model_name="suggestion",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(
                            ("column__isnull", True), ("kind", "BUSINESS_NAME"), ("status", "PROPOSED")
                        ),
                        fields=("asset",),
                        name="suggestion_one_open_name_per_asset",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="suggestion",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(
                            ("column__isnull", False), ("kind", "BUSINESS_NAME"), ("status", "PROPOSED")
                        ),
                        fields=("column",),
                        name="suggestion_one_open_name_per_column",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="suggestion",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("column__isnull", True), ("kind", "GLOSSARY_TERM")),
                        fields=("asset", "glossary_term"),
                        name="suggestion_term_once_per_asset",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="suggestion",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("column__isnull", False), ("kind", "GLOSSARY_TERM")),
                        fields=("column", "glossary_term"),
                        name="suggestion_term_once_per_column",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="suggestion",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("glossary_term__isnull", False), ("kind", "GLOSSARY_TERM"))
                        | models.Q(("glossary_term__isnull", True), ("kind", "BUSINESS_NAME")),
                        name="suggestion_term_only_for_term_kind",
                    ),
                ),
            ],
        ),
    ]
