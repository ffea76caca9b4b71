"""Events carry the order they were written in (``recorded``, from a sequence at insert).

The sequencer numbered unnumbered events by (occurred_at, id); two events of one
transaction whose clock readings were equal then took the order of their random ids. It
now numbers them by ``recorded`` (rows written before this migration have none and come
first, by occurred_at). The column is added without a default and the default set
afterwards, so PostgreSQL rewrites no rows and holds its lock only for a moment; the
position sequence stays, so a process still on the old code keeps numbering correctly
during a deploy.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meshportal", "0001_event_outbox"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "CREATE SEQUENCE meshportal_event_recorded_seq; "
                    "ALTER TABLE meshportal_event ADD COLUMN recorded bigint NULL; "
                    "ALTER TABLE meshportal_event ALTER COLUMN recorded "
                    "SET DEFAULT nextval('meshportal_event_recorded_seq')",
                    "ALTER TABLE meshportal_event DROP COLUMN recorded; "
                    "DROP SEQUENCE meshportal_event_recorded_seq",
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="event",
                    name="recorded",
                    field=models.BigIntegerField(
                        db_default=models.Func(
                            models.Value("meshportal_event_recorded_seq"), function="nextval"
                        ),
                        editable=False,
                        null=True,
                    ),
                ),
            ],
        ),
    ]
