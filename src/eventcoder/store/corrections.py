"""Coding errors reported by analysts, kept in the store's ``corrections`` table.

A correction names one event, the field that is wrong (``event_type``, ``mode``, ``actor``,
``recipient``, ``date``, ``place``, or ``not_an_event``), what it should be, and a note. The
value as coded is stored beside it, so a later recode that changes the event does not make
the report unreadable. Reporting the same correction twice stores it once (content-hash id).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from eventcoder.errors import StoreError
from eventcoder.model import hash_id
from eventcoder.ontology.plover import load_ontology
from eventcoder.store.duckdb import Store, _utcnow
from eventcoder.store.filters import EventFilter, FilterError

FIELDS = ("event_type", "mode", "actor", "recipient", "date", "place", "not_an_event")
COLUMNS = ("id", "event_id", "field", "coded", "correct", "note", "reported_at")


def _coded_value(event: dict[str, Any], field: str) -> str | None:
    if field in ("actor", "recipient"):
        return event[f"{field}_countries"]
    if field == "date":
        return event["event_date"].isoformat() if event["event_date"] else None
    if field == "place":
        return event["place_name"]
    if field == "not_an_event":
        return event["event_type"]
    return event[field]


def _checked(field: str, correct: str | None, event: dict[str, Any]) -> str | None:
    """The correct value, normalised; ValueError naming the field when it names nothing."""
    value = (correct or "").strip() or None
    if field == "not_an_event":
        return None
    if value is None:
        raise ValueError(f"correct: say what the {field} should be")
    if field == "event_type":
        return EventFilter(event_type=value).event_type
    if field == "mode":
        kind = event["event_type"]
        modes = load_ontology()[kind].modes
        if value.lower() not in modes:
            raise ValueError(f"correct: {value!r} is not a mode of {kind}; choose one of {', '.join(modes) or 'none'}")
        return value.lower()
    if field in ("actor", "recipient"):
        # Several parties are written as codes joined by ';' (CHN;RUS), as the store keeps them.
        return ";".join(EventFilter(actor=code).actor or "" for code in value.replace(",", ";").split(";") if code.strip())
    if field == "date":
        return EventFilter(since=value).since.isoformat()  # type: ignore[union-attr]
    return value[:200]


def add_correction(store: Store, event_id: str, field: str, correct: str | None = None, note: str | None = None) -> dict[str, Any]:
    """Store a report that event ``event_id`` is coded wrong in ``field``; return its row.

    Raises ``ValueError`` (a ``FilterError`` for codes and types) naming the value when the
    field or the correct value names nothing, and ``KeyError`` when no event has that id.
    """
    if field not in FIELDS:
        raise FilterError("field", field, f"{field!r} is not a field that can be corrected; choose one of {', '.join(FIELDS)}")
    rows = store._rows("SELECT * FROM events WHERE id = ?", [event_id])
    if not rows:
        raise KeyError(event_id)
    event = rows[0]
    value = _checked(field, correct, event)
    note = (note or "").strip()[:2000] or None
    row = {
        "id": hash_id(event_id, field, value, note),
        "event_id": event_id, "field": field, "coded": _coded_value(event, field),
        "correct": value, "note": note, "reported_at": _utcnow(),
    }  # fmt: skip
    store._transaction(
        lambda: store._insert("corrections", COLUMNS, [tuple(row[c] for c in COLUMNS)], ignore_existing=True),
        what=f"storing a correction of event {event_id}",
    )
    return row


def corrections_by_event(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every correction, grouped by event id (what exports attach to their events)."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    try:
        rows = store._rows("SELECT * FROM corrections ORDER BY reported_at, id")
    except Exception as exc:  # a store opened read-only before its migration has no table
        raise StoreError(f"could not read corrections: {exc}") from exc
    for row in rows:
        row = {**row, "reported_at": row["reported_at"].isoformat() if isinstance(row["reported_at"], dt.datetime) else None}
        grouped.setdefault(row["event_id"], []).append(row)
    return grouped
