"""The schema of a register's database and its migrations, for every database (private).

The schema is written once, with the column types as placeholders that each
database fills in (``register/_sql.py``: SQLite's ``TEXT``/``INTEGER``/
``BLOB``, PostgreSQL's ``text COLLATE "C"``/``bigint``/``bytea``).  A SQLite
file keeps its schema version as ``PRAGMA user_version`` and is marked as a
register with ``PRAGMA application_id``; a PostgreSQL database keeps both in
its table ``itil_ci_register``.  ``MIGRATIONS[n]`` takes a register from
version ``n`` to ``n + 1``; opening one applies the missing ones in one
transaction.  A register whose version is newer than :data:`SCHEMA_VERSION`
is refused before anything is written to it.

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
    id $text PRIMARY KEY NOT NULL,
    version $int NOT NULL,
    status $text NOT NULL,
    service $text NOT NULL,
    source $text NOT NULL,
    updated_at $text NOT NULL,
    document $text NOT NULL
);
CREATE INDEX opportunities_status ON opportunities (status);
CREATE INDEX opportunities_service ON opportunities (service);
CREATE INDEX opportunities_source ON opportunities (source);
CREATE TABLE initiatives (
    id $text PRIMARY KEY NOT NULL,
    version $int NOT NULL,
    step $text,
    model $text NOT NULL,
    open $int NOT NULL,
    due $text,
    remeasure_on $text,
    updated_at $text NOT NULL,
    document $text NOT NULL
);
CREATE INDEX initiatives_step ON initiatives (step);
CREATE INDEX initiatives_model ON initiatives (model, step);
CREATE INDEX initiatives_due ON initiatives (open, due);
CREATE INDEX initiatives_remeasure ON initiatives (remeasure_on);
CREATE TABLE kpis (
    key $text PRIMARY KEY NOT NULL,
    document $text NOT NULL
);
CREATE TABLE baselines (
    seq $seq,
    kpi_key $text NOT NULL,
    document $text NOT NULL
);
CREATE INDEX baselines_kpi ON baselines (kpi_key);
CREATE TABLE chunks (
    seq $seq,
    kpi_key $text NOT NULL,
    source $text,
    t_min $int NOT NULL,
    t_max $int NOT NULL,
    n $int NOT NULL,
    times $blob NOT NULL,
    vals $blob NOT NULL
);
CREATE INDEX chunks_key ON chunks (kpi_key, t_min, t_max);
"""

# Version 2: dimensions of observations.  ADD COLUMN with a constant default does not
# rewrite the table: rows written before read back as '{}'.
_V2 = """
ALTER TABLE chunks ADD COLUMN dims $text NOT NULL DEFAULT '{}';
CREATE INDEX chunks_groups ON chunks (kpi_key, dims, source);
"""

# Version 3: a checksum on every row, filled in for the rows already there by the store
# (``SQLiteStore._fill_checksums``: SQL cannot compute CRC-32).  Nullable, as ADD COLUMN
# needs a default otherwise; a row without one reads as damaged.
_V3 = """
ALTER TABLE opportunities ADD COLUMN checksum $int;
ALTER TABLE initiatives ADD COLUMN checksum $int;
ALTER TABLE kpis ADD COLUMN checksum $int;
ALTER TABLE baselines ADD COLUMN checksum $int;
ALTER TABLE chunks ADD COLUMN checksum $int;
"""

# Version 4: named documents by kind (SLA and KPI derivation definitions) and named tables
# stored as chunks of bytes (imported tickets and their state history).  A table's row says
# how many chunks it has, so a chunk that goes missing is noticed.
_V4 = """
CREATE TABLE named_documents (
    kind $text NOT NULL,
    key $text NOT NULL,
    document $text NOT NULL,
    checksum $int NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE TABLE named_tables (
    name $text PRIMARY KEY NOT NULL,
    parts $int NOT NULL,
    meta $text NOT NULL,
    checksum $int NOT NULL
);
CREATE TABLE named_table_chunks (
    name $text NOT NULL,
    part $int NOT NULL,
    data $blob NOT NULL,
    checksum $int NOT NULL,
    PRIMARY KEY (name, part)
);
"""

#: ``MIGRATIONS[n]``: the SQL that takes a register from schema version ``n`` to ``n + 1``,
#: written once for every database: ``$text``, ``$int``, ``$blob`` and ``$seq`` (an
#: auto-numbered primary key) stand for the column types of each (``register/_sql.py``).
MIGRATIONS: dict[int, str] = {0: _V1, 1: _V2, 2: _V3, 3: _V4}

assert sorted(MIGRATIONS) == list(range(SCHEMA_VERSION))
