# EventBridge targets and their deliveries (issue 12).

import uuid

import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):


    dependencies = [
        ("meshportal", "0001_event_outbox"),
        ("webhooks", "0001_webhook_endpoints"),
        ("projects", "0002_environment_deletion"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EventBridgeTarget",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("event_bus", models.CharField(help_text="The bus's name (in the account) or ARN; 'default' for the default bus.", max_length=1600)),
                ("event_types", django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=64), blank=True, default=list, size=None)),
                ("enabled", models.BooleanField(default=True)),
                ("disabled_reason", models.TextField(blank=True)),
                ("cursor", models.BigIntegerField(default=0, editable=False)),
                ("last_delivered_at", models.DateTimeField(blank=True, null=True)),
                ("aws_account", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="event_bridge_targets", to="projects.awsaccount")),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("domain", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="event_bridge_targets", to="projects.domain")),
            ],
            options={
                "ordering": ["domain__name", "event_bus"],
                "constraints": [models.UniqueConstraint(fields=("aws_account", "event_bus"), name="eventbridgetarget_unique_bus")],
            },
        ),
        migrations.CreateModel(
            name="EventBridgeDelivery",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("position", models.BigIntegerField()),
                ("status", models.CharField(choices=[("PENDING", "Pending"), ("DELIVERED", "Delivered"), ("FAILED", "Failed")], default="PENDING", max_length=16)),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                ("delivered_at", models.DateTimeField(blank=True, null=True)),
                ("eventbridge_id", models.CharField(blank=True, help_text="The EventId EventBridge answered.", max_length=64)),
                ("event", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="meshportal.event")),
                ("target", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="deliveries", to="webhooks.eventbridgetarget")),
            ],
            options={
                "ordering": ["position"],
                "indexes": [
                    models.Index(condition=models.Q(("status", "PENDING")), fields=["target", "position"], name="eventbridge_pending"),
                    models.Index(fields=["target", "-position"], name="eventbridge_newest"),
                ],
                "constraints": [models.UniqueConstraint(fields=("target", "event"), name="eventbridgedelivery_once_per_target")],
            },
        ),
    ]
