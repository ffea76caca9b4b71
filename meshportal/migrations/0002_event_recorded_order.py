"""Events carry the order they were written in (``recorded``, from a sequence at insert).

The sequencer numbered unnumbered events by (occurred_at, id); two events of one
transaction whose clock readings were equal then took the order of their random ids. It
now numbers them by ``recorded``. Existing rows get values in table order; all but the
few not yet numbered when this runs already have their positions.
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
