"""Which events to read: one filter set, checked once, shared by every command and page.

``EventFilter`` is what an analyst slices by (who acted, on whom, either side, PLOVER type,
mode, quad class, dates, confidence, background or not, outlet, where it happened). The CLI
(``events``, ``dyad``, ``stories``, ``export``), the web API and the exporters all build one,
so a filter means the same everywhere. Building it checks every value against the tables it
names (ontology types and modes, actor codes) and raises :class:`FilterError` naming the
value and the valid choices: a typo such as ``--type ATTACK`` or ``--actor China`` is an
error, not an empty answer.

:meth:`EventFilter.conditions` turns it into SQL conditions with bound parameters over
``events e`` joined to ``articles a``; only ``store/`` modules call it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any

from eventcoder.ontology.countries import CODE_SHAPE, actor_codes, code_for_name, country_names
from eventcoder.ontology.plover import load_ontology

QUAD_CLASSES = (1, 2, 3, 4)


class FilterError(ValueError):
    """A filter value that names nothing: ``field`` is the filter, ``value`` what was given."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}: {reason}")


def _code(field: str, value: str, *, countries_only: bool = False) -> str:
    code = value.strip().upper()
    known = set(country_names()) if countries_only else actor_codes()
    if CODE_SHAPE.match(code) and code in known:
        return code
    named = code_for_name(value)
    hint = f" (did you mean {named}?)" if named and (named in known) else ""
    kind = "an ISO 3166-1 alpha-3 country code (CHN, USA, PRK ...)" if countries_only else (
        "an ISO 3166-1 alpha-3 country code (CHN, USA, PRK ...) or the code of a body (UNO, NATO, EU, IGO, NGO ...)"
    )
    raise FilterError(field, value, f"{value!r} is not a known code{hint}; use {kind}")


def _date(field: str, value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise FilterError(field, value, f"{value!r} is not a date; use YYYY-MM-DD (e.g. 2018-06-12)") from None


@dataclass(frozen=True)
class EventFilter:
    """Filters that combine with AND; None (or False) leaves a filter off.

    ``actor``/``recipient``: an actor code among the event's actors / recipients;
    ``country``: that code on either side; ``event_type``: a PLOVER type; ``mode``: one of
    its modes; ``quad``: quad class 1-4; ``since``/``until``: inclusive dates of the event
    (its own date, else its article's published date); ``min_confidence``: 0-1;
    ``no_background``: leave out events the text recalls rather than reports;
    ``outlet``: the article's outlet, exactly; ``place_country``: ISO3 of where it happened;
    ``limit``: at most this many rows.
    """

    actor: str | None = None
    recipient: str | None = None
    country: str | None = None
    event_type: str | None = None
    mode: str | None = None
    quad: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    min_confidence: float | None = None
    no_background: bool = False
    outlet: str | None = None
    place_country: str | None = None
    limit: int | None = None

    def __post_init__(self) -> None:
        # Blank strings (an empty form field) mean "no filter"; everything else is checked
        # and normalised here, once, so queries can trust it.
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str) and not value.strip():
                object.__setattr__(self, f.name, None)
        normal: dict[str, Any] = {}
        for name in ("actor", "recipient", "country"):
            if getattr(self, name) is not None:
                normal[name] = _code(name, getattr(self, name))
        if self.place_country is not None:
            normal["place_country"] = _code("place_country", self.place_country, countries_only=True)
        ontology = load_ontology()
        if self.event_type is not None:
            kind = self.event_type.strip().upper()
            if kind not in ontology:
                raise FilterError("event_type", self.event_type,
                                  f"{self.event_type!r} is not a PLOVER event type; choose one of {', '.join(ontology)}")
            normal["event_type"] = kind
        if self.mode is not None:
            mode = self.mode.strip().lower()
            kind = normal.get("event_type")
            modes = ontology[kind].modes if kind else sorted({m for t in ontology.values() for m in t.modes})
            if mode not in modes:
                where = f"{kind} has the modes" if kind else "modes are"
                raise FilterError("mode", self.mode, f"{self.mode!r} is not a PLOVER mode; {where} {', '.join(modes) or 'none'}")
            normal["mode"] = mode
        if self.quad is not None and self.quad not in QUAD_CLASSES:
            raise FilterError("quad", self.quad, f"{self.quad!r} is not a quad class; use 1 (verbal cooperation), "
                              "2 (material cooperation), 3 (verbal conflict) or 4 (material conflict)")
        if self.min_confidence is not None and not 0 <= float(self.min_confidence) <= 1:
            raise FilterError("min_confidence", self.min_confidence, f"{self.min_confidence!r} is not between 0 and 1")
        for name in ("since", "until"):
            if getattr(self, name) is not None:
                normal[name] = _date(name, getattr(self, name))
        since, until = normal.get("since"), normal.get("until")
        if since and until and since > until:
            raise FilterError("since", since, f"since ({since}) is after until ({until}); no event can match")
        if self.limit is not None and int(self.limit) < 1:
            raise FilterError("limit", self.limit, f"{self.limit!r} is not a positive number of rows")
        for name, value in normal.items():
            object.__setattr__(self, name, value)

    def given(self) -> dict[str, Any]:
        """The filters that are set, by name (``limit`` included)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in (None, False)}

    def without(self, *names: str) -> EventFilter:
        """The same filter with ``names`` left off (e.g. a dyad's own actor and recipient)."""
        return replace(self, **{name: None if name != "no_background" else False for name in names})

    def needs_article(self) -> bool:
        """Whether a condition reads the article's columns (the date fallback, the outlet)."""
        return any(v is not None for v in (self.since, self.until, self.outlet))

    def conditions(self) -> tuple[list[str], list[Any]]:
        """SQL conditions over ``events e`` (and ``articles a``; see :meth:`needs_article`)
        with one bound parameter each, for the filters that are set (``limit`` aside)."""
        # events.actor_countries / recipient_countries hold the codes of the event's actors of
        # that role ('CHN;RUS'); testing them in the events scan is ~20x faster on a big store
        # than joining event_actors.
        actor_in = "list_contains(string_split(e.actor_countries, ';'), ?)"
        recipient_in = "list_contains(string_split(e.recipient_countries, ';'), ?)"
        date = "COALESCE(e.event_date, a.published)"
        tests: list[tuple[str, list[Any]]] = [
            (actor_in, [self.actor]),
            (recipient_in, [self.recipient]),
            (f"({actor_in} OR {recipient_in})", [self.country, self.country]),
            ("e.event_type = ?", [self.event_type]),
            ("e.mode = ?", [self.mode]),
            ("e.quad_class = ?", [self.quad]),
            (f"{date} >= ?", [self.since]),
            (f"{date} <= ?", [self.until]),
            ("e.confidence >= ?", [self.min_confidence]),
            ("NOT COALESCE(e.background, false)", [] if self.no_background else [None]),
            ("a.outlet = ?", [self.outlet]),
            ("e.place_country = ?", [self.place_country]),
        ]
        where: list[str] = []
        params: list[Any] = []
        for sql, values in tests:
            if any(v is None for v in values):
                continue
            where.append(sql)
            params.extend(values)
        return where, params
