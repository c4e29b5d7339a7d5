"""The SQLite schema of a register file and its migrations (private).

The schema version lives in the file as ``PRAGMA user_version`` and the file
is marked as a register with ``PRAGMA application_id``.  ``MIGRATIONS[n]``
takes a file from version ``n`` to ``n + 1``; opening a file applies the
missing ones in one transaction.  A file whose version is newer than
:data:`SCHEMA_VERSION` is refused before anything is written to it.

Entities are stored as the codec's JSON document plus the columns that the
register's questions filter on (:data:`INDEXED`), so a count or a filter never
decodes a document.  Observations are stored in chunks: each row holds up to
:data:`CHUNK` observations of one KPI key and source as two little-endian
blobs (``int64`` nanoseconds since the epoch, UTC, and ``float64`` values,
``NaN`` for a missing value), with the chunk's first and last time in indexed
columns.  Since version 2 each chunk also has ``dims``: the canonical JSON of
its observations' dimensions (sorted keys, no spaces; ``'{}'`` for none,
which is what every chunk of a version 1 file gets), in the covering index
``chunks_groups`` so the chunk groups of a KPI are listed without reading a
chunk.  Since version 3 every entity, KPI, baseline and chunk row has
``checksum``, the CRC-32 of its identity and content (``register/_checksum.py``),
verified on every read; opening an older file computes them for the rows it
holds.  Version 4 adds the generic primitives: ``named_documents`` (a document
per kind and key) and ``named_tables`` with their ``named_table_chunks`` (a
table's meta, its number of chunks, and each chunk as a blob), each row with
its checksum.
"""

from __future__ import annotations

#: Version of the register file format written by this library.
SCHEMA_VERSION = 4

#: ``PRAGMA application_id`` of a register file ("ITCI" in ASCII).
APPLICATION_ID = 0x49544349

#: Most observations stored in one chunk row.
CHUNK = 65536

#: Table and indexed columns of each entity kind (the document is in ``document``).
INDEXED: dict[str, tuple[str, tuple[str, ...]]] = {
    "opportunity": ("opportunities", ("status", "service", "source", "updated_at")),
    "initiative": (
        "initiatives",
        ("step", "model", "open", "due", "remeasure_on", "updated_at"),
    ),
}

_V1 = """
CREATE TABLE opportunities (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    service TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX opportunities_status ON opportunities (status);
CREATE INDEX opportunities_service ON opportunities (service);
CREATE INDEX opportunities_source ON opportunities (source);
CREATE TABLE initiatives (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    step TEXT,
    model TEXT NOT NULL,
    open INTEGER NOT NULL,
    due TEXT,
    remeasure_on TEXT,
    updated_at TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX initiatives_step ON initiatives (step);
CREATE INDEX initiatives_model ON initiatives (model, step);
CREATE INDEX initiatives_due ON initiatives (open, due);
CREATE INDEX initiatives_remeasure ON initiatives (remeasure_on);
CREATE TABLE kpis (
    key TEXT PRIMARY KEY NOT NULL,
    document TEXT NOT NULL
);
CREATE TABLE baselines (
    seq INTEGER PRIMARY KEY,
    kpi_key TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX baselines_kpi ON baselines (kpi_key);
CREATE TABLE chunks (
    seq INTEGER PRIMARY KEY,
    kpi_key TEXT NOT NULL,
    source TEXT,
    t_min INTEGER NOT NULL,
    t_max INTEGER NOT NULL,
    n INTEGER NOT NULL,
    times BLOB NOT NULL,
    vals BLOB NOT NULL
);
CREATE INDEX chunks_key ON chunks (kpi_key, t_min, t_max);
"""

# Version 2: dimensions of observations.  ADD COLUMN with a constant default does not
# rewrite the table: rows written before read back as '{}'.
_V2 = """
ALTER TABLE chunks ADD COLUMN dims TEXT NOT NULL DEFAULT '{}';
CREATE INDEX chunks_groups ON chunks (kpi_key, dims, source);
"""

# Version 3: a checksum on every row, filled in for the rows already there by the store
# (``SQLiteStore._fill_checksums``: SQL cannot compute CRC-32).  Nullable, as ADD COLUMN
# needs a default otherwise; a row without one reads as damaged.
_V3 = """
ALTER TABLE opportunities ADD COLUMN checksum INTEGER;
ALTER TABLE initiatives ADD COLUMN checksum INTEGER;
ALTER TABLE kpis ADD COLUMN checksum INTEGER;
ALTER TABLE baselines ADD COLUMN checksum INTEGER;
ALTER TABLE chunks ADD COLUMN checksum INTEGER;
"""

# Version 4: named documents by kind (SLA and KPI derivation definitions) and named tables
# stored as chunks of bytes (imported tickets and their state history).  A table's row says
# how many chunks it has, so a chunk that goes missing is noticed.
_V4 = """
CREATE TABLE named_documents (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    document TEXT NOT NULL,
    checksum INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE TABLE named_tables (
    name TEXT PRIMARY KEY NOT NULL,
    parts INTEGER NOT NULL,
    meta TEXT NOT NULL,
    checksum INTEGER NOT NULL
);
CREATE TABLE named_table_chunks (
    name TEXT NOT NULL,
    part INTEGER NOT NULL,
    data BLOB NOT NULL,
    checksum INTEGER NOT NULL,
    PRIMARY KEY (name, part)
);
"""

#: ``MIGRATIONS[n]``: the SQL that takes a file from schema version ``n`` to ``n + 1``.
MIGRATIONS: dict[int, str] = {0: _V1, 1: _V2, 2: _V3, 3: _V4}

assert sorted(MIGRATIONS) == list(range(SCHEMA_VERSION))
