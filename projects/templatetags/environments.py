"""Template helpers of the environment page: the deletion checklist.

The environment page's view (and its htmx polling) stays as it is; the panel asks this
tag for the deletion's progress when the environment is being (or was) deleted.
"""

from datetime import datetime

from django import template

from projects.choices import EnvironmentStatus
from projects.deprovisioning import steps_for

register = template.Library()

DELETION_STATUSES = {
    EnvironmentStatus.DELETING,
    EnvironmentStatus.DELETE_FAILED,
    EnvironmentStatus.DELETED,
}


@register.simple_tag
def deletion_progress(environment) -> dict:
    """The deletion steps with their state (done and when, running, failed, pending),
    whether the deletion is shown at all, and whether the panel keeps polling."""
    status = environment.status
    if status not in DELETION_STATUSES:
        return {"shown": False, "live": False}
    done = environment.deletion_steps or {}
    steps, next_marked = [], False
    for key, label in steps_for(environment.profile.blueprint):
        at = done.get(key)
        if at or status == EnvironmentStatus.DELETED:
            try:
                at = datetime.fromisoformat(at) if at else None
            except (TypeError, ValueError):
                at = None
            steps.append({"key": key, "label": label, "state": "done", "at": at})
            continue
        state = "pending"
        if not next_marked:
            next_marked = True
            state = "running" if status == EnvironmentStatus.DELETING else "failed"
        steps.append({"key": key, "label": label, "state": state, "at": None})
    done_count = sum(step["state"] == "done" for step in steps)
    return {
        "shown": True,
        "live": status == EnvironmentStatus.DELETING,
        "steps": steps,
        "done": done_count,
        "total": len(steps),
        "percent": round(100 * done_count / len(steps)) if steps else 100,
    }
