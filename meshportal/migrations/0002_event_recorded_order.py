"""Events carry the order they were written in (``recorded``, from a sequence at insert).

The sequencer numbered unnumbered events by (occurred_at, id) with nextval; two events of
one transaction whose clock readings were equal then took the order of their random ids.
It now numbers them by ``recorded`` with row_number after the highest position, so the
position sequence goes. Existing rows get ``recorded`` in table order; all but the few
not yet numbered when this runs already have their positions.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meshportal", "0001_event_outbox"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE meshportal_event_recorded_seq",
            "DROP SEQUENCE meshportal_event_recorded_seq",
        ),
        migrations.RunSQL(
            "DROP SEQUENCE meshportal_event_position_seq",
            "CREATE SEQUENCE meshportal_event_position_seq; SELECT setval("
            "'meshportal_event_position_seq', coalesce(max(position), 0) + 1, false) "
            "FROM meshportal_event",
        ),
        migrations.RemoveIndex(model_name="event", name="event_unnumbered"),
        migrations.AddField(
            model_name="event",
            name="recorded",
            field=models.BigIntegerField(
                db_default=models.Func(
                    models.Value("meshportal_event_recorded_seq"), function="nextval"
                ),
                editable=False,
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("position", None)), fields=["recorded"], name="event_unnumbered"
            ),
        ),
    ]
