"""The schemas of both stores, declared side by side: a new table goes here, once or twice.

``SQLITE`` (``Store``): documents, chunks with their vectors as blobs, FTS5 kept by triggers
(``SQLITE_KEYWORDS``: it reads a chunk's ``keywords``, its CJK text as bigrams, else its text).
``POSTGRES`` (``PgStore``): the same tables in its own types, with a pgvector column and a
generated ``tsvector`` instead of FTS5. ``DERIVED`` (both): summary nodes and roots, jobs, chat
sessions, in SQL both databases accept as written.
"""

# 3: chunks.keywords (CJK text as character bigrams, docqa.cjk) feeds keyword search in both stores.
# 4: those keywords are in simplified script (traditional characters folded), so both scripts meet.
SCHEMA_VERSION = 4

SQLITE = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    pages INTEGER NOT NULL,
    chunks INTEGER NOT NULL,
    text TEXT NOT NULL,
    ingested_at REAL NOT NULL
);
-- AUTOINCREMENT: a chunk id is never reused, so a stale FAISS id can never point at new text.
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    text TEXT NOT NULL,
    page_start INTEGER NOT NULL,
    page_end INTEGER NOT NULL,
    section TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    n_tokens INTEGER NOT NULL,
    line_start INTEGER NOT NULL DEFAULT 0,
    line_end INTEGER NOT NULL DEFAULT 0,
    vector BLOB NOT NULL,
    keywords TEXT
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ord);
"""

# What FTS5 indexes: a chunk's keywords where it has them (CJK runs as bigrams: docqa.cjk), else its
# text as written. The view is the external content, so 'delete' and 'rebuild' see what was indexed.
SQLITE_KEYWORDS = """
CREATE VIEW IF NOT EXISTS chunks_keywords AS SELECT id, coalesce(keywords, text) AS text FROM chunks;
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, content='chunks_keywords', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text) VALUES (new.id, coalesce(new.keywords, new.text));
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, coalesce(old.keywords, old.text));
END;
"""

# Columns that came after a store's schema version: each store adds what it lacks when it opens
# (an ADD COLUMN with a constant default rewrites nothing). Line (or sheet row) locators, 0: none;
# the version of the reader a document was read with (ingest.loaders.reader_version), 1: the first.
ADDED_COLUMNS = [("chunks", "line_start", "INTEGER NOT NULL DEFAULT 0"), ("chunks", "line_end", "INTEGER NOT NULL DEFAULT 0"),
                 ("documents", "reader", "INTEGER NOT NULL DEFAULT 1")]

POSTGRES = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id BIGSERIAL PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    mtime DOUBLE PRECISION NOT NULL,
    pages INTEGER NOT NULL,
    chunks INTEGER NOT NULL,
    text TEXT NOT NULL,
    ingested_at DOUBLE PRECISION NOT NULL
);
-- The embedding column gets its dimension (and then its HNSW index) when the model is bound.
CREATE TABLE IF NOT EXISTS chunks (
    id BIGSERIAL PRIMARY KEY,
    doc_id BIGINT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    text TEXT NOT NULL,
    page_start INTEGER NOT NULL,
    page_end INTEGER NOT NULL,
    section TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    n_tokens INTEGER NOT NULL,
    line_start INTEGER NOT NULL DEFAULT 0,
    line_end INTEGER NOT NULL DEFAULT 0,
    embedding vector NOT NULL,
    keywords TEXT,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(keywords, text))) STORED
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ord);
CREATE INDEX IF NOT EXISTS chunks_tsv ON chunks USING gin (tsv);
"""

# Version 2: derived memory (summary tree, batch jobs, chat sessions), one declaration in types
# both databases take (SQLite reads BIGINT and DOUBLE PRECISION as its INTEGER and REAL). Every
# statement is idempotent, so a version-1 SQLite store is upgraded in place by running it.
DERIVED = """
-- Summary nodes are keyed by a hash of their inputs (the chunk texts, or the child summaries,
-- plus model, prompt version and length), so an unchanged subtree is found again after its
-- document is re-ingested under new chunk ids: only changed nodes and their ancestors are new.
CREATE TABLE IF NOT EXISTS summary_nodes (
    key TEXT PRIMARY KEY,
    doc_path TEXT NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    text TEXT NOT NULL,
    provenance TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS summary_nodes_doc ON summary_nodes(doc_path);
CREATE TABLE IF NOT EXISTS summary_roots (
    doc_path TEXT NOT NULL,
    mode TEXT NOT NULL,
    words BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    root_key TEXT NOT NULL,
    tree TEXT NOT NULL,
    PRIMARY KEY (doc_path, mode, words)
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    spec TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS job_items (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    item TEXT NOT NULL,
    ord BIGINT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL DEFAULT '',
    updated_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (job_id, item)
);
CREATE TABLE IF NOT EXISTS chat_sessions (
    name TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);
"""
