"""Outbox events of the projects app, and the payload vocabulary every app shares.

Payloads name things the same way in every event type: an object is ``{"id", "name"}``
(plus what a reader needs of it) under a fixed key — ``domain``, ``project``,
``environment``, ``producer_project``/``consumer_project`` where both sides of a
subscription appear — so a script reads ``event["data"]["domain"]["name"]`` whatever
the type. See the README's "Events" section and the OpenAPI components.
"""

from meshportal.events import EventType, event_record


def ref(obj, *, name: str | None = None, **extra) -> dict:
    """``{"id", "name"}`` of a named object (and ``extra`` fields)."""
    return {"id": str(obj.pk), "name": obj.name if name is None else name, **extra}


def environment_event_record(environment, event_type: str, *, actor=None, **extra):
    """Record an environment's status change (inside the transaction that made it).

    ``environment`` comes with its project, domain and profile loaded (the tasks read
    them anyway), so the event costs one INSERT.
    """
    project = environment.project
    status = extra.pop("status", environment.status)
    payload = {
        "environment": ref(environment, status=status, **extra),
        "project": ref(project),
        "domain": ref(project.domain),
        "environment_profile": ref(environment.profile),
    }
    return event_record(
        event_type,
        payload=payload,
        domain_id=project.domain_id,
        project_ids=[project.pk],
        actor=actor,
    )


__all__ = ["EventType", "environment_event_record", "ref"]
