"""Shared fixtures: a temp index, the real (small) embedder, settings isolated from the user's."""

from __future__ import annotations

from pathlib import Path

import pytest

from docqa.settings import EmbeddingSettings, Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DOCS = REPO / "sample_docs"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """No test reads the developer's config file or DOCQA_* variables."""
    import os

    for key in list(os.environ):
        if key.startswith("DOCQA_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "xdg-config"))


@pytest.fixture(scope="session")
def embedder():
    """The real MiniLM embedder, loaded once (about 4 s)."""
    from docqa.models.embedder import make_embedder

    return make_embedder(EmbeddingSettings())


@pytest.fixture
def settings(tmp_path) -> Settings:
    return load_settings({"index": str(tmp_path / "index")}, environ={})


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """A real PostgreSQL 16 + pgvector (the pgserver wheel), on a Unix socket, for the session."""
    pgserver = pytest.importorskip("pgserver")
    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    yield server.get_uri()
    server.cleanup()


@pytest.fixture
def pg_url(pg_server):
    """A fresh database on that server, dropped afterwards."""
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield pg_server.replace("/postgres?", f"/{name}?")
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_settings(request, tmp_path) -> Settings:
    """Settings for the embedded store (SQLite + FAISS) and for the server store (PostgreSQL + pgvector):
    tests that take it are the store contract, run against both."""
    store = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    return load_settings({"index": str(tmp_path / "index"), "store": store}, environ={})


@pytest.fixture
def index(settings):
    from docqa.index import Index

    with Index.open(settings.index, settings) as idx:
        yield idx


def bench_module(name: str):
    """A script of bench/ imported as a module (bench/ is not a package: its scripts run alone)."""
    import importlib.util
    import sys

    key = f"bench_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, REPO / "bench" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
    return sys.modules[key]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path
