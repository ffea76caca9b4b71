"""The event outbox (meshportal.events): atomic with its change, ordered without gaps."""

import threading

import pytest
from django.db import connection, connections, transaction

from meshportal import events as events_module
from meshportal.events import EventType, cursor_parse, event_record, events_sequence
from meshportal.models import Event


def _record(name="x", **kwargs):
    return event_record(EventType.LISTING_PUBLISHED, payload={"name": name}, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_an_event_is_refused_outside_the_transaction_of_a_change():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        _record()
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_event():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        _record()
        raise ZeroDivisionError  # the change fails after its event was written
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_unknown_types_are_refused():
    with pytest.raises(ValueError, match="Unknown event type"):
        event_record("listing.exploded", payload={})


@pytest.mark.django_db
def test_events_are_numbered_in_the_order_they_were_recorded(django_user_model):
    user = django_user_model.objects.create_user("ada")
    project_id = "7f1c7a3e-8a51-4e2e-9f38-1a2b3c4d5e6f"
    first = _record("first", actor=user, project_ids=[project_id, project_id])
    second = _record("second")
    assert events_sequence() == 2 and events_sequence() == 0
    assert list(Event.objects.after(0)) == [first, second]
    first.refresh_from_db()
    assert list(Event.objects.after(first.position)) == [second]
    message = first.as_message()
    assert message["actor"] == "ada" and message["projects"] == [project_id]
    assert message["cursor"] == str(first.position) and message["data"] == {"name": "first"}


@pytest.mark.django_db
def test_events_with_the_same_clock_reading_keep_the_order_they_were_recorded_in():
    # A coarse or stepped clock can give one transaction's events the same occurred_at;
    # their ids are random, so only the order of recording can tell them apart.
    events = [_record(f"e{number}") for number in range(8)]
    Event.objects.update(occurred_at=events[0].occurred_at)
    assert events_sequence() == 8
    assert [e.payload["name"] for e in Event.objects.after(0)] == [f"e{n}" for n in range(8)]


def test_cursors_are_checked():
    assert cursor_parse(None) == 0 and cursor_parse("1234") == 1234
    for bad in ("-1", "a", "1.2", "١٢", "1" * 19):
        with pytest.raises(ValueError):
            cursor_parse(bad)


@pytest.mark.django_db(transaction=True)
def test_a_commit_numbers_its_events():
    with transaction.atomic():
        event, second = _record(), _record("second")
        assert not Event.objects.filter(position__isnull=False).exists()
        # One sequencer run (and one fan-out signal) per transaction, not per event.
        pending = [func for _, func, _ in connection.run_on_commit]
        assert pending.count(events_module._committed) == 1
    event.refresh_from_db()
    second.refresh_from_db()
    assert event.position < second.position


@pytest.mark.django_db(transaction=True)
def test_a_reader_never_passes_an_event_that_commits_later():
    """The gap an insertion order has: a transaction that wrote first commits last.

    ``slow`` records its event first and commits after ``fast``. A reader between the
    two commits sees ``fast`` only; ``slow``'s event, committed later, must still come
    after it in the outbox, never behind a cursor already moved past ``fast``.
    """
    recorded, fast_read, slow_committed = (threading.Event() for _ in range(3))
    errors = []

    def slow():
        try:
            with transaction.atomic():
                _record("slow")
                recorded.set()
                fast_read.wait(10)
            slow_committed.set()
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow)
    thread.start()
    assert recorded.wait(10)
    with transaction.atomic():
        _record("fast")
    events_sequence()
    first_read = [event.payload["name"] for event in Event.objects.after(0)]
    cursor = Event.objects.after(0).last().position
    fast_read.set()
    assert slow_committed.wait(10)
    thread.join(10)
    assert not errors
    events_sequence(wait=True)

    assert first_read == ["fast"]
    assert [event.payload["name"] for event in Event.objects.after(cursor)] == ["slow"]


@pytest.mark.django_db
def test_numbers_come_from_one_draw_without_gaps_and_older_rows_come_first():
    first = _record("first")
    assert events_sequence() == 1
    first.refresh_from_db()
    # A pass with nothing to number draws no number: the next event follows at once.
    assert events_sequence() == 0
    _record("a"), _record("b")
    # An event written before the column existed has no ``recorded``: it goes first.
    legacy = _record("legacy")
    Event.objects.filter(pk=legacy.pk).update(recorded=None)
    assert events_sequence() == 3
    names = [e.payload["name"] for e in Event.objects.after(first.position)]
    assert names == ["legacy", "a", "b"]
    positions = list(Event.objects.after(0).values_list("position", flat=True))
    assert positions == list(range(first.position, first.position + 4))
