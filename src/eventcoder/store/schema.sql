-- eventcoder store schema, version 4 (2 added stories, event_clusters, cluster_events; 3 added
-- stories.component_id, story_profiles, story_keys and story_state, and dropped story_signatures;
-- 4 added corrections).
-- Applied with CREATE ... IF NOT EXISTS on every open, so it must stay idempotent.
-- A change to any table means a new version number and a migration in store/duckdb.py.

CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS articles (
    id        VARCHAR PRIMARY KEY,   -- content hash of the normalized text
    url       VARCHAR,
    outlet    VARCHAR,
    published DATE,
    title     VARCHAR,
    text      VARCHAR NOT NULL,
    language  VARCHAR,
    source    VARCHAR,
    coded_at  TIMESTAMP              -- UTC, naive
);

CREATE TABLE IF NOT EXISTS events (
    id                  VARCHAR PRIMARY KEY,
    article_id          VARCHAR NOT NULL,
    event_type          VARCHAR NOT NULL,
    mode                VARCHAR,
    -- PLOVER quad classes are 1..4; anything else is a coding bug, refused at the door
    quad_class          INTEGER CHECK (quad_class IS NULL OR quad_class BETWEEN 1 AND 4),
    intensity           DOUBLE,
    cameo_root          VARCHAR,
    trigger             VARCHAR,
    event_date          DATE,
    date_precision      VARCHAR,
    date_text           VARCHAR,
    background          BOOLEAN,
    negated             BOOLEAN,
    place_name          VARCHAR,
    place_country       VARCHAR,
    lat                 DOUBLE,
    lon                 DOUBLE,
    place_precision     VARCHAR,
    quote_text          VARCHAR,
    quote_speaker       VARCHAR,
    sentence            VARCHAR,
    start_char          INTEGER,
    end_char            INTEGER,
    confidence          DOUBLE,
    extractor           VARCHAR,
    actor_countries     VARCHAR,     -- 'CHN;RUS': quick display and grep; dyad queries use event_actors
    recipient_countries VARCHAR,
    actors_json         VARCHAR,     -- JSON text of list[Actor]
    recipients_json     VARCHAR,     -- JSON text of list[Actor]
    event_json          VARCHAR      -- JSON text of the full Event record
);

CREATE TABLE IF NOT EXISTS event_actors (
    event_id   VARCHAR NOT NULL,
    role       VARCHAR NOT NULL CHECK (role IN ('actor', 'recipient')),
    position   INTEGER NOT NULL,
    text       VARCHAR,
    country    VARCHAR,
    sector     VARCHAR,
    name       VARCHAR,
    start_char INTEGER,
    end_char   INTEGER,
    PRIMARY KEY (event_id, role, position)
);

CREATE TABLE IF NOT EXISTS failures (
    id          VARCHAR PRIMARY KEY,  -- hash of source, line, stage, code, reason
    source      VARCHAR,
    line        INTEGER,
    stage       VARCHAR,
    code        VARCHAR,
    reason      VARCHAR,
    article_id  VARCHAR,
    recorded_at TIMESTAMP
);

CREATE INDEX IF NOT EXISTS events_event_date ON events (event_date);
CREATE INDEX IF NOT EXISTS events_event_type ON events (event_type);
CREATE INDEX IF NOT EXISTS event_actors_country ON event_actors (country);

-- Version 2: stories and deduplicated event clusters (eventcoder.stories, eventcoder.clusters),
-- derived from the tables above by Store.refresh_clusters, which rewrites only what new
-- articles change (version 3).
CREATE TABLE IF NOT EXISTS stories (
    article_id   VARCHAR PRIMARY KEY,
    story_id     VARCHAR NOT NULL,    -- hash of the member article ids
    component_id VARCHAR              -- smallest article id of its linked component (stories.py)
);

CREATE TABLE IF NOT EXISTS event_clusters (
    cluster_id          VARCHAR PRIMARY KEY,   -- hash of the member event ids
    canonical_event_id  VARCHAR NOT NULL,      -- highest confidence, most complete member
    event_type          VARCHAR NOT NULL,
    actor_countries     VARCHAR,               -- 'CHN;RUS': union over the members
    recipient_countries VARCHAR,
    background          BOOLEAN,
    first_date          DATE,
    last_date           DATE,
    num_mentions        INTEGER NOT NULL,      -- member events
    num_sources         INTEGER NOT NULL,      -- distinct outlets
    num_articles        INTEGER NOT NULL,      -- distinct articles
    sources             VARCHAR                -- 'outlet1;outlet2'
);

CREATE TABLE IF NOT EXISTS cluster_events (
    event_id   VARCHAR PRIMARY KEY,
    cluster_id VARCHAR NOT NULL
);

-- Version 3. One profile per article (stories.Profile): its weighted terms, heaviest first,
-- and with an embedding story_method its quantized embedding; rebuilt when params differ.
CREATE TABLE IF NOT EXISTS story_profiles (
    article_id VARCHAR PRIMARY KEY,
    params     VARCHAR NOT NULL,
    published  DATE,
    terms      BLOB NOT NULL,         -- stories.term_id of each term, int64 little-endian
    weights    BLOB NOT NULL,         -- their weights, int16 little-endian
    vector     BLOB                   -- the quantized embedding, int16 little-endian
);

-- Each article's key terms (the first of its profile's): a new article is compared only with
-- the stored articles that share one, within the window.
CREATE TABLE IF NOT EXISTS story_keys (
    term       BIGINT NOT NULL,       -- stories.term_id
    article_id VARCHAR NOT NULL,
    published  DATE
);

-- What the stored stories and clusters were made with, and the newest coded_at they cover:
-- an article coded later (or with no stories row) is new to the next refresh.
CREATE TABLE IF NOT EXISTS story_state (
    params     VARCHAR NOT NULL,
    coded_upto TIMESTAMP
);

-- Cache: one sentence embedding per article (story_method embeddings or both; float32 bytes).
CREATE TABLE IF NOT EXISTS story_embeddings (
    article_id VARCHAR PRIMARY KEY,
    params     VARCHAR NOT NULL,      -- embeddings.embedding_params(): reused only when equal
    vector     BLOB NOT NULL
);

CREATE INDEX IF NOT EXISTS cluster_events_cluster ON cluster_events (cluster_id);
CREATE INDEX IF NOT EXISTS stories_story ON stories (story_id);

-- Version 3: coding errors reported by analysts (the event page's "report wrong coding");
-- written by people, never by a coding run, so a rebuild or a recode keeps them. Exports
-- carry them beside the events they correct, and bench/eval can score against them.
CREATE TABLE IF NOT EXISTS corrections (
    id          VARCHAR PRIMARY KEY,  -- hash of event_id, field, correct and note
    event_id    VARCHAR NOT NULL,     -- the corrected event (kept if a recode drops it)
    field       VARCHAR NOT NULL CHECK (field IN ('event_type', 'mode', 'actor', 'recipient', 'date', 'place', 'not_an_event')),
    coded       VARCHAR,              -- the value as coded ('REQUEST', 'CHN', '2018-06-12')
    correct     VARCHAR,              -- what it should be (NULL for not_an_event)
    note        VARCHAR,
    reported_at TIMESTAMP             -- UTC, naive
);

CREATE INDEX IF NOT EXISTS corrections_event ON corrections (event_id);
