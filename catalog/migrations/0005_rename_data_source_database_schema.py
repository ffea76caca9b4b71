"""DataSource.database/schema → database_name/schema_name, the names Asset uses (issue 8).

A rename only: the columns keep their data, the API keeps ``database`` and ``schema``."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_listing_name_words"),
    ]

    operations = [
        migrations.RenameField(
            model_name="datasource", old_name="database", new_name="database_name"
        ),
        migrations.RenameField(model_name="datasource", old_name="schema", new_name="schema_name"),
    ]
