"""The browsing page: a FastAPI app over one DuckDB store, opened read-only.

Every HTML page has a JSON twin under ``/api`` that calls the same function
(``/`` and ``/api/events``, ``/events/{id}`` and ``/api/events/{id}``, ``/dyad/{a}/{b}``
and ``/api/dyad/{a}/{b}``, the map on ``/`` and ``/api/map``); OpenAPI docs are at
``/docs`` and ``/openapi.json``. Views hold no SQL: they call ``store.queries``.

DuckDB lets one process hold a file for writing, and a reader blocks a writer too, so the
app opens the store read-only for each request and closes it after: a coding run in another
process waits at most one request, and new requests wait while it stores a batch
(``store/opening.py``: writers go first). A request waits up to ``lock_wait`` seconds for the
file; after that, or for a store that is missing or damaged, it gets 503 and a message saying
so, not 500.

The page is built to be safe over untrusted stores: an article's URL becomes a link only when
it is http(s) (never ``javascript:``), every response carries a Content-Security-Policy that
allows nothing but the app's own files, and requests must name this server in their Host
header (``allowed_hosts``), so a page on another site cannot read the API through DNS rebinding.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field, field_validator, model_validator
from starlette.middleware.trustedhost import TrustedHostMiddleware
from swagger_ui_bundle import swagger_ui_path

import eventcoder
from eventcoder import export as exporting
from eventcoder.errors import E304_LOCKED, StoreError
from eventcoder.ontology.plover import load_ontology
from eventcoder.store import Store, queries
from eventcoder.settings import load_options
from eventcoder.store.corrections import FIELDS as CORRECTABLE
from eventcoder.store.corrections import add_correction
from eventcoder.store.duckdb import open_store
from eventcoder.store.filters import EventFilter, FilterError
from eventcoder.web import views
from eventcoder.web.svg import QUAD_NAMES

HERE = Path(__file__).parent
CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9]{1,11}$"  # ISO3 countries, IGO codes (UNO, NATO), sectors
EVENT_ID_PATTERN = r"^[0-9a-f]{6,64}$"  # content-hash ids (model.hash_id)
MAX_PAGE = 500
MAP_PLACES = 2000
DyadPeriod = Literal["day", "month", "year"]
# Host names a browser on this machine uses for the server; serve() adds the --host it binds.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
# Browsers drop tabs and newlines inside a URL and ignore leading spaces and controls, so
# "java\tscript:" is javascript: to them; the scheme is read the same way here.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]")
PAGE_POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
# Swagger UI starts itself with an inline script; only the /docs page may run one.
DOCS_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'")


class EventFilters(BaseModel):
    """Which events to show; every filter is optional and they combine with AND (the same
    set as the command line's filter options: ``eventcoder.store.filters.EventFilter``).

    Blank values (an empty form field) mean "no filter"."""

    actor: str | None = Field(None, pattern=CODE_PATTERN, description="Actor code (ISO3 or IGO), e.g. CHN.")
    recipient: str | None = Field(None, pattern=CODE_PATTERN, description="Recipient code, e.g. PRK.")
    country: str | None = Field(None, pattern=CODE_PATTERN, description="This code on either side (actor or recipient).")
    type: str | None = Field(None, description="PLOVER event type, e.g. REQUEST.")
    mode: str | None = Field(None, max_length=40, description="PLOVER mode, e.g. aerial.")
    quad: int | None = Field(None, ge=1, le=4, description="Quad class: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.")
    since: dt.date | None = Field(None, description="Events on or after this date (YYYY-MM-DD).")
    until: dt.date | None = Field(None, description="Events on or before this date (YYYY-MM-DD).")
    min_confidence: float | None = Field(None, ge=0, le=1, description="Events coded with at least this confidence (0-1).")
    no_background: bool = Field(False, description="Leave out background events (earlier events the text recalls).")
    outlet: str | None = Field(None, max_length=200, description="The article's outlet, exactly, e.g. example.org.")
    place_country: str | None = Field(None, pattern=CODE_PATTERN, description="Where it happened (ISO3), e.g. SYR.")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    @field_validator("actor", "recipient", "country", "place_country")
    @classmethod
    def _upper_code(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @model_validator(mode="after")
    def _checked(self) -> EventFilters:
        # EventFilter checks the values against the ontology and the actor codes, as the CLI does.
        self.to_filter()
        return self

    def to_filter(self) -> EventFilter:
        """The shared filter these parameters name (raises FilterError, a ValueError)."""
        return EventFilter(actor=self.actor, recipient=self.recipient, country=self.country, event_type=self.type,
                           mode=self.mode, quad=self.quad, since=self.since, until=self.until,
                           min_confidence=self.min_confidence, no_background=self.no_background,
                           outlet=self.outlet, place_country=self.place_country)  # fmt: skip


class PageFilters(EventFilters):
    """Event filters plus paging."""

    limit: int = Field(50, ge=1, le=MAX_PAGE, description=f"Events per page (1..{MAX_PAGE}).")
    offset: int = Field(0, ge=0, le=100_000_000, description="Events to skip (for the next pages).")


class EventsPage(BaseModel):
    """One page of matching events, newest first, with the total number that match."""

    total: int
    limit: int
    offset: int
    events: list[dict[str, Any]]


class EventDetail(BaseModel):
    """An event with its article (text included), every source that reports it, and the
    coding errors reported for it."""

    event: dict[str, Any]
    article: dict[str, Any] | None
    sources: list[dict[str, Any]]
    corrections: list[dict[str, Any]] = []


class CorrectionIn(BaseModel):
    """A report that an event is coded wrong: which field, what it should be, why."""

    field: Literal["event_type", "mode", "actor", "recipient", "date", "place", "not_an_event"]
    correct: str | None = Field(None, max_length=200, description="What the field should be (REQUEST, CHN;RUS, 2018-06-12 ...); none for not_an_event.")
    note: str | None = Field(None, max_length=2000)


class DyadTimeline(BaseModel):
    """Monthly (or daily, yearly) counts of events from actor to recipient, and back."""

    actor: str
    recipient: str
    by: str
    by_quad: list[dict[str, Any]] = Field(description="Counts per period and quad class.")
    by_type: list[dict[str, Any]] = Field(description="Counts per period and PLOVER type.")
    net: list[dict[str, Any]] = Field(description="Summed intensity per period (cooperation positive, conflict negative).")
    reverse: dict[str, Any] = Field(description="by_quad, by_type and net of recipient to actor.")


class MapPlaces(BaseModel):
    """Places of located events, most events first."""

    places: list[dict[str, Any]]


# -- the functions each HTML page and its JSON twin share -----------------------------------------


def event_detail(store: Store, event_id: str) -> dict[str, Any]:
    """The event, its article and its sources; raises 404 if no event has that id.

    Sources come from ``queries.event_sources`` (every article of the event's story) where
    this eventcoder has it; otherwise the event's own article is its only source.
    """
    event = queries.event_evidence(store, event_id)
    if event is None:
        raise HTTPException(status_code=404, detail=f"no event with id {event_id!r} in this store")
    article = queries.article(store, event["article_id"])
    event_sources = getattr(queries, "event_sources", None)
    sources = event_sources(store, event_id) if event_sources is not None else []
    if not sources:
        sources = [{"article_id": event["article_id"], "outlet": event["outlet"], "url": event["url"],
                    "title": event["title"], "published": event["published"], "sentence": event["sentence"],
                    "start_char": event["start_char"], "end_char": event["end_char"], "event_id": event_id}]  # fmt: skip
    return {"event": event, "article": article, "sources": sources, "corrections": queries.corrections(store, event_id)}


def link_url(url: str | None) -> str | None:
    """``url`` if it is safe to make a link of (an http or https URL), else None: a stored
    ``javascript:alert(1)`` (or ``java\tscript:``, `` JaVaScRiPt:``) is shown as text."""
    if not url:
        return None
    plain = _IGNORED_IN_URL.sub("", url).lower()
    return url if plain.startswith(("http://", "https://")) else None


def highlight(text: str, start: int | None, end: int | None) -> tuple[str, str, str]:
    """``text`` split around the evidence span ``start:end`` (before, evidence, after);
    the whole text as "before" when the offsets do not fit it."""
    if start is None or end is None or not 0 <= start < end <= len(text):
        return text, "", ""
    return text[:start], text[start:end], text[end:]


# -- the app -------------------------------------------------------------------------------------


def read_store(request: Request) -> Iterator[Store]:
    """The app's store, opened read-only for one request and closed after it."""
    with open_store(request.app.state.db_path, read_only=True, wait=request.app.state.lock_wait) as opened:
        yield opened


StoreDep = Annotated[Store, Depends(read_store)]
Code = Annotated[str, PathParam(pattern=CODE_PATTERN, description="Actor or recipient code, e.g. CHN.")]
EventId = Annotated[str, PathParam(pattern=EVENT_ID_PATTERN, description="Event id (hex content hash).")]
By = Annotated[DyadPeriod, Query(description="Period to count by.")]


def _dyad_filter(actor: str, recipient: str, filters: EventFilters) -> EventFilter:
    """A dyad's filter: its path codes (checked as every code is) and the other filters."""
    EventFilter(actor=actor, recipient=recipient)
    return filters.to_filter().without("actor", "recipient")


def store_correction(request: Request, event_id: str, field: str, correct: str | None, note: str | None) -> dict[str, Any]:
    """Store a correction through a brief read-write open of the store (the page is otherwise
    read-only): E304 while a coding run holds the file (a 503), 404 for an unknown event."""
    with open_store(request.app.state.db_path, wait=request.app.state.lock_wait) as store:
        try:
            return add_correction(store, event_id, field, correct, note)
        except KeyError:
            raise HTTPException(status_code=404, detail=f"no event with id {event_id!r} in this store") from None


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(("/api", "/docs", "/openapi"))


def create_app(db_path: str | Path, *, title: str = "eventcoder", allowed_hosts: Sequence[str] | None = None,
               lock_wait: float | None = None) -> FastAPI:
    """The browsing app over the DuckDB store at ``db_path`` (opened read-only per request).

    ``allowed_hosts``: Host header values answered (default: this machine's names, and
    ``testserver`` for FastAPI's TestClient); ``"*"`` answers any. ``lock_wait``: seconds a
    request waits for a store another process holds (default: the ``lock_wait`` setting)."""
    app = FastAPI(
        title=f"{title} events",
        version=eventcoder.__version__,
        description="PLOVER political events coded from news articles: filter them, plot a dyad, "
        "read the evidence. Every HTML page has a JSON twin here.",
        docs_url=None,  # FastAPI's own /docs loads Swagger UI from a CDN; ours is bundled (offline)
        redoc_url=None,
    )
    app.state.db_path = str(db_path)
    app.state.lock_wait = load_options().lock_wait if lock_wait is None else lock_wait
    hosts = list(allowed_hosts) if allowed_hosts is not None else [*LOCAL_HOSTS, "testserver"]
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        docs = request.url.path == "/docs"
        response.headers.setdefault("Content-Security-Policy", DOCS_POLICY if docs else PAGE_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(quad_names=QUAD_NAMES, event_types=list(load_ontology()), version=eventcoder.__version__)
    templates.env.filters["link_url"] = link_url
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/static-docs", StaticFiles(directory=swagger_ui_path), name="static-docs")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title}: API",
            swagger_js_url="/static-docs/swagger-ui-bundle.js",
            swagger_css_url="/static-docs/swagger-ui.css",
            swagger_favicon_url="/static-docs/favicon-32x32.png",
        )

    def page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    @app.exception_handler(StoreError)
    async def store_unavailable(request: Request, exc: StoreError) -> Response:
        # The store is elsewhere's to fix (a coding run holds it, the file is missing or newer):
        # the server itself is fine, so 503, with the reason, and a hint to retry when locked.
        headers = {"Retry-After": "5"} if exc.code == E304_LOCKED else {}
        message = f"the event store is not available: {exc}"
        if _wants_html(request):
            return page(request, "error.html", {"status": 503, "messages": [message]}, 503)
        return JSONResponse({"detail": message, "code": exc.code}, status_code=503, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        messages = [f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}" for e in errors]
        if _wants_html(request):
            return page(request, "error.html", {"status": 422, "messages": messages}, 422)
        return JSONResponse({"detail": jsonable_encoder(errors, custom_encoder={ValueError: str})}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_html(request):
            return page(request, "error.html", {"status": exc.status_code, "messages": [str(exc.detail)]}, exc.status_code)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    @app.exception_handler(FilterError)
    async def bad_filter(request: Request, exc: FilterError) -> Response:
        # A code or type that names nothing (a dyad's path codes, a correction's value).
        if _wants_html(request):
            return page(request, "error.html", {"status": 422, "messages": [str(exc)]}, 422)
        # The shape FastAPI gives its own 422s, so clients read one kind of error.
        detail = [{"loc": ["path" if exc.field in ("actor", "recipient") else "body", exc.field], "msg": str(exc),
                   "type": "value_error"}]  # fmt: skip
        return JSONResponse({"detail": detail}, status_code=422)

    # -- JSON API --------------------------------------------------------------------------------
    # Documented so clients (and the schemathesis fuzz test) know every status a route answers.
    store_busy = {503: {"description": "The store file is missing (E301) or another process is writing it (E304); retry later."}}
    not_found = {404: {"description": "No event with this id in the store."}, **store_busy}

    @app.get("/api/events", response_model=EventsPage, responses=store_busy, tags=["events"])
    def api_events(filters: Annotated[PageFilters, Query()], db: StoreDep) -> dict[str, Any]:
        """Events matching the filters, newest first, one page at a time, with the total count."""
        return queries.events_page(db, filters.to_filter(), limit=filters.limit, offset=filters.offset)

    @app.get("/api/events.csv", responses={200: {"content": {"text/csv": {}}}, **store_busy}, tags=["events"],
             response_class=StreamingResponse)
    def api_events_csv(request: Request, filters: Annotated[EventFilters, Query()]) -> StreamingResponse:
        """Every event matching the filters as CSV (the columns of `eventcoder export csv`), newest first."""
        chosen = filters.to_filter()
        path, wait = request.app.state.db_path, request.app.state.lock_wait
        open_store(path, read_only=True, wait=wait).close()  # a missing or held store is a 503 now, not mid-download

        def lines() -> Iterator[str]:
            # Its own read-only handle, held only while the file streams out.
            with open_store(path, read_only=True, wait=wait) as store:
                yield from exporting.csv_lines(exporting.with_corrections(store, queries.iter_events(store, chosen, newest_first=True)))

        return StreamingResponse(lines(), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": 'attachment; filename="events.csv"'})

    @app.get("/api/events/{event_id}", response_model=EventDetail, responses=not_found, tags=["events"])
    def api_event(event_id: EventId, db: StoreDep) -> dict[str, Any]:
        """One event with its evidence, its article's text, all its sources and its reported corrections."""
        return event_detail(db, event_id)

    @app.post("/api/events/{event_id}/corrections", status_code=201, tags=["events"], responses={
        **not_found, 400: {"description": "A body that is not JSON."}, 422: {"description": "A field or value that names nothing."}})
    def api_correct(event_id: EventId, correction: CorrectionIn, request: Request) -> dict[str, Any]:
        """Report that an event is coded wrong; stored in the store's corrections table."""
        return store_correction(request, event_id, correction.field, correction.correct, correction.note)

    @app.get("/api/dyad/{actor}/{recipient}", response_model=DyadTimeline, responses=store_busy, tags=["dyads"])
    def api_dyad(actor: Code, recipient: Code, db: StoreDep, filters: Annotated[EventFilters, Query()],
                 by: By = "month") -> dict[str, Any]:
        """Events from actor to recipient (and back) counted per month (or day, year) by quad class
        and type, with the net intensity; the filters narrow the events (their own actor and recipient aside)."""
        return views.dyad(db, actor, recipient, by, _dyad_filter(actor, recipient, filters))

    @app.get("/api/dyads", responses=store_busy, tags=["dyads"])
    def api_dyads(db: StoreDep) -> list[dict[str, Any]]:
        """The commonest actor→recipient country pairs (the dyad picker's choices)."""
        return queries.dyads(db)

    @app.get("/api/map", response_model=MapPlaces, responses=store_busy, tags=["events"])
    def api_map(filters: Annotated[EventFilters, Query()], db: StoreDep) -> dict[str, Any]:
        """Places of the matching events that have coordinates, with event counts."""
        return {"places": queries.located_events(db, filters.to_filter(), limit=MAP_PLACES)}

    @app.get("/api/countries", responses=store_busy, tags=["events"])
    def api_countries(filters: Annotated[EventFilters, Query()], db: StoreDep) -> list[dict[str, Any]]:
        """Per country: the matching events that involve it (either side) and their mean intensity."""
        return queries.country_counts(db, filters.to_filter())

    @app.get("/api/trend", responses=store_busy, tags=["events"])
    def api_trend(filters: Annotated[EventFilters, Query()], db: StoreDep, by: By = "month") -> list[dict[str, Any]]:
        """Matching dated events counted per day (or month, year) and quad class."""
        return queries.trend(db, filters.to_filter(), by=by)

    @app.get("/api/outlets", responses=store_busy, tags=["events"])
    def api_outlets(db: StoreDep) -> list[dict[str, Any]]:
        """Outlets with their numbers of articles, most first (the outlet filter's choices)."""
        return queries.outlets(db)

    # -- HTML pages ------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request, filters: Annotated[PageFilters, Query()], db: StoreDep,
              shade: Annotated[views.Shade, Query()] = "count", trend: By = "month") -> HTMLResponse:
        chosen = filters.to_filter()
        board = views.dashboard(db, chosen, shade=shade, trend_by=trend, limit=filters.limit, offset=filters.offset)
        query = {k: v for k, v in filters.model_dump().items() if v not in (None, "", False) and k != "offset"}
        context = {"filters": filters, **board, "outlets": queries.outlets(db), "query": query, "shade": shade,
                   "trend_by": trend, "modes": sorted({m for t in load_ontology().values() for m in t.modes})}  # fmt: skip
        return page(request, "index.html", context)

    @app.get("/events/{event_id}", response_class=HTMLResponse, include_in_schema=False)
    def event_page(request: Request, event_id: EventId, db: StoreDep, reported: int = 0) -> HTMLResponse:
        detail = event_detail(db, event_id)
        ev, art = detail["event"], detail["article"]
        pieces = views.marked_text(art["text"], ev) if art else []
        inside = [i for i, p in enumerate(pieces) if p["evidence"]]
        lo, hi = (inside[0], inside[-1] + 1) if inside else (len(pieces), len(pieces))
        context = {**detail, "before": pieces[:lo], "inside": pieces[lo:hi], "after": pieces[hi:],
                   "explain": views.explain(ev), "fields": CORRECTABLE, "reported": bool(reported)}  # fmt: skip
        return page(request, "event.html", context)

    @app.post("/events/{event_id}/corrections", include_in_schema=False)
    async def correct_page(request: Request, event_id: EventId) -> Response:
        # A plain HTML form post (application/x-www-form-urlencoded), read without a
        # multipart library: three short fields.
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        try:
            store_correction(request, event_id, form.get("field", ""), form.get("correct"), form.get("note"))
        except (FilterError, ValueError) as exc:
            return page(request, "error.html", {"status": 422, "messages": [str(exc)]}, 422)
        return RedirectResponse(f"/events/{event_id}?reported=1#corrections", status_code=303)

    @app.get("/dyad", include_in_schema=False)
    def dyad_picked(pair: Annotated[str, Query(pattern=r"^[A-Za-z][A-Za-z0-9]{1,11}/[A-Za-z][A-Za-z0-9]{1,11}$")]) -> Response:
        # The dyad picker's form: ?pair=CHN/PRK goes to that dyad's page.
        return RedirectResponse(f"/dyad/{pair.upper()}", status_code=303)

    @app.get("/dyad/{actor}/{recipient}", response_class=HTMLResponse, include_in_schema=False)
    def dyad_page(request: Request, actor: Code, recipient: Code, db: StoreDep,
                  filters: Annotated[EventFilters, Query()], by: By = "month") -> HTMLResponse:
        data = views.dyad_page(db, actor, recipient, by, _dyad_filter(actor, recipient, filters))
        return page(request, "dyad.html", {**data, "dyads": queries.dyads(db, limit=100)})

    return app


def check_store(db_path: str | Path) -> None:
    """Open the store read-only once and close it: a missing, foreign, newer or damaged file
    raises its ``StoreError`` here, instead of on every request."""
    open_store(db_path, read_only=True).close()


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the browsing app with uvicorn until interrupted (after :func:`check_store`).

    Requests must name this machine (or ``host``) in their Host header; bound to every
    interface (``0.0.0.0``, ``::``), any name is answered."""
    import uvicorn

    check_store(db_path)
    hosts = ["*"] if host in ("0.0.0.0", "::", "") else [*LOCAL_HOSTS, host]
    uvicorn.run(create_app(db_path, allowed_hosts=hosts), host=host, port=port, log_level="info")
