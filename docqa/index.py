"""`Index`: the Python API over one store directory (what the CLI calls)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from pathlib import Path

from docqa.errors import StoreError, UsageError
from docqa.memory.backend import MemoryStore, VectorSearch, open_store
from docqa.memory.memory import Memory
from docqa.memory.store import DB_NAME, DocumentRow
from docqa.models.embedder import AUTO, ENGLISH, Embedder, choose_model, make_embedder
from docqa.records import Hit
from docqa.settings import Settings, is_store_url, load_settings, redact_url

# The ingest pipeline (its loaders) and retrieval (numpy) are imported where used: `docqa list`,
# `status` and `config` open an Index and never search or ingest (issue 13).
if TYPE_CHECKING:
    from docqa.answer import Answer
    from docqa.ingest.pipeline import IngestReport, Progress
    from docqa.memory.vectors import Recall
    from docqa.retrieval.attention import TokenStateCache


@dataclass(frozen=True)
class Status:
    path: str
    documents: int
    chunks: int
    vectors: int
    generation: int
    embed_model: str | None
    embed_dim: int | None
    llm: str
    device: str
    dtype: str
    disk_bytes: dict[str, int]

    def to_json(self, recall=None) -> dict:
        """`docqa status --json`, with the recall check when it ran."""
        return asdict(self) | ({"recall": asdict(recall)} if recall else {})


class Index:
    """An external memory on disk: `Index.open(path).ingest([...])`, then `.search(query, k)`."""

    def __init__(self, directory: Path, settings: Settings, store: MemoryStore) -> None:
        self.directory = directory
        self.settings = settings
        self.store = store
        self._embedder: Embedder | None = None
        self._memory: Memory | None = None
        self._generator = None
        self._executor = None

    @classmethod
    def open(cls, path: str | Path | None = None, settings: Settings | None = None, create: bool = True) -> Index:
        """The store directory at `path` (default settings.index), or the server store: a
        postgresql:// `path`, or settings.store when no path is given."""
        settings = settings or load_settings()
        url = path if is_store_url(path) else settings.store if path in (None, settings.index) else None
        if url:
            return cls(_state_dir(url), settings, open_store(url))
        directory = Path(path if path is not None else settings.index).expanduser()
        if create:
            # User-only: the store holds the full text of the user's documents. An existing folder
            # of ours (the repo's index/, made by git with the umask) is tightened too.
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            st = directory.stat()
            if st.st_uid == os.getuid() and st.st_mode & 0o077:
                directory.chmod(0o700)
        elif not (directory / DB_NAME).exists():
            raise StoreError(f"{directory}: no docqa index here (run `docqa ingest PATH` first)")
        return cls(directory, settings, open_store(directory))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.close()
        self.store.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def twin(self) -> Index:
        """Another connection to the same store that shares this one's loaded models. A connection
        holds one transaction at a time, so a server writes through a twin while it reads here."""
        other = Index(self.directory, self.settings, open_store(getattr(self.store, "url", None) or self.directory))
        other._embedder, other._generator = self._embedder, self._generator
        return other

    def share_generator(self, generator) -> None:
        """Generate with this already loaded generator (a server's, which lets one request at a time use it)."""
        self._generator = generator

    # -- lazily loaded parts --------------------------------------------------------------------

    @cached_property
    def token_cache(self) -> TokenStateCache:
        """Passage token states of the re-ranker, kept across questions of this Index."""
        from docqa.retrieval.attention import TokenStateCache

        return TokenStateCache()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._resolve_model()
            emb = make_embedder(self.settings.embedding, self.settings.device)
            self.store.bind_model(emb.name, emb.dim)
            self._embedder = emb
        return self._embedder

    def _resolve_model(self, paths: list[Path] | None = None) -> None:
        """embedding.model = auto becomes a model name here, before any embedder or executor is
        made: the one the store records; on a store that records none, the one `choose_model` picks
        for the text of `paths` (a first ingest), or MiniLM when there is no text to go by. The
        first embedder then records it (store.bind_model)."""
        if self.settings.embedding.model != AUTO:
            return
        model = self.store.get_meta("embed_model")
        if model is None and paths:
            from docqa.ingest.pipeline import sample_texts

            model = choose_model(sample_texts(paths, self.settings.ingest))
        embedding = self.settings.embedding.model_copy(update={"model": model or ENGLISH})
        self.settings = self.settings.model_copy(update={"embedding": embedding})

    @property
    def vector_dim(self) -> int:
        """The stored vectors' dimension (the index's embedder's; a question may be read by another:
        retrieval/reading)."""
        return self.embedder.dim

    @property
    def memory(self) -> Memory:
        """The store with its dense search, which writers change through (docqa.memory.memory),
        brought up to the store's last committed generation on every access."""
        if self._memory is None:
            self._memory = Memory.open(self.store, self.embedder.dim, self.settings.vectors, self.directory)
        else:
            self._memory.sync()
        return self._memory

    @property
    def vectors(self) -> VectorSearch:
        """Dense search (FAISS, or pgvector in the server store), in step with the store."""
        return self.memory.vectors

    def generator(self, progress=None):
        """The LLM, loaded on first use (the first run assembles/converts it once, with `progress`)."""
        if self._generator is None:
            from docqa.models.generation.factory import make_generator

            self._generator = make_generator(self.settings.generation, self.settings.device, progress=progress)
        return self._generator

    def escalation(self, generator):
        """A loader of the larger model an unverified short answer from `generator` escalates to, or
        None (settings.answer.escalate). It runs here, whatever serves `generator`, and loads on the
        first escalation."""
        return self._larger(generator.name)

    def _larger(self, name: str, progress=None):
        """The loader of the model that answers of `name` escalate to, or None."""
        from docqa.models.generation.factory import escalation_model, make_generator

        larger = escalation_model(self.settings.answer.escalate, name)
        if larger is None:
            return None
        backend = "auto" if self.settings.generation.backend == "openai" else self.settings.generation.backend
        local = self.settings.generation.model_copy(update={"model": larger, "base_url": None, "backend": backend})
        return lambda: make_generator(local, self.settings.device, progress)

    def answerers(self, progress=None):
        """The generator that answers a question and the loader of the one it escalates to (or None).
        With answer.larger_first the escalation model answers alone, and the small model is not loaded
        for it: a cold `docqa ask` reads one model file, not two."""
        from docqa.answer import use_larger_first
        from docqa.models import assets
        from docqa.models.device import resolve_device
        from docqa.models.generation.factory import choose_backend

        gen, device = self.settings.generation, resolve_device(self.settings.device)
        if use_larger_first(self.settings.answer, device) and choose_backend(gen.backend, device, gen.base_url) != "openai":
            larger = self._larger(assets.model_key(gen.model), progress)
            if larger is not None:
                return larger(), None
        generator = self.generator(progress)
        return generator, self.escalation(generator)

    def ready_escalation(self, generator, progress=None) -> None:
        """Assemble the escalation model's file now, with `progress` (once, a minute), so that the
        first escalation does not do it silently inside a question."""
        from docqa.models import assets
        from docqa.models.generation.factory import escalation_model

        name = escalation_model(self.settings.answer.escalate, generator.name)
        if name is not None and not assets.is_gguf_path(name):
            assets.resolve_gguf(name, self.settings.generation.cache_dir, progress)

    @property
    def executor(self):
        """Where batch work runs: here, or on Ray actors (settings.batch; docqa.executors)."""
        if self._executor is None:
            from docqa.executors import make_executor

            self._resolve_model()  # Ray actors make their embedder from settings: never from "auto"
            self._executor = make_executor(self.settings, lambda: self.embedder, self.generator)
        return self._executor

    # -- writing --------------------------------------------------------------------------------

    def ingest(self, paths: Iterable[str | Path], progress: Progress | None = None, wait: bool = False) -> IngestReport:
        from docqa.ingest.pipeline import ingest as run_ingest

        paths = [Path(p) for p in paths]
        with self.store.writer_lock(wait=wait):
            self._resolve_model(paths)  # from the text, before the executor resolves it without
            executor = self.executor  # before the model loads: a missing `ray` is reported at once
            return run_ingest(paths, self.memory, self.settings.ingest, executor, progress=progress)

    def remove(self, path: str | Path, wait: bool = False) -> list[str]:
        """Remove a document, or every document under a folder. Returns the removed paths."""
        target = Path(os.path.abspath(path))
        with self.store.writer_lock(wait=wait):
            memory = self.memory
            gone = [d.path for d in self.store.documents() if Path(d.path) == target or Path(d.path).is_relative_to(target)]
            for doc_path in gone:
                memory.delete(doc_path)
            if gone:
                memory.checkpoint(force=True)
        return gone

    # -- reading --------------------------------------------------------------------------------

    def search(self, query: str, k: int | None = None, mode: str = "hybrid", doc_ids: list[int] | None = None) -> list[Hit]:
        """Top-k chunks of the documents in scope (settings.retrieval.within/types), or of `doc_ids`."""
        from docqa.retrieval import hybrid

        if not query.strip():
            raise UsageError("empty query")
        return hybrid.search(
            query, self.store, self.vectors, self.embedder, self.settings.retrieval,
            k or self.settings.retrieval.k, mode=mode, doc_ids=self.scope() if doc_ids is None else doc_ids,
        )

    def scope(self, under: Iterable[str | Path] | None = None) -> list[int] | None:
        """Ids of the documents a search may read (settings.retrieval.within/types, narrowed to the
        files/folders `under`); None: every document."""
        r = self.settings.retrieval
        if not (r.within or r.types or under):
            return None  # every search passes here: no document listing without a scope
        from docqa.retrieval import scope

        docs = self.store.documents()
        ids = scope.resolve(docs, r.within, r.types)
        if under:
            named = set(scope.resolve(docs, [str(p) for p in under], []))
            ids = [i for i in ids if i in named] if ids is not None else sorted(named)
            if not ids:
                raise UsageError("no indexed document in scope under the given paths")
        return ids

    def ask(self, question: str, on_token=None, progress=None) -> Answer:
        """Answer from the documents with verified citations, or abstain (see docqa.answer)."""
        from docqa.answer import ask
        from docqa.models.device import resolve_device

        if not question.strip():
            raise UsageError("empty question")
        generator, stronger = self.answerers(progress)
        return ask(
            question, self, generator, self.settings.answer,
            on_token=on_token,
            device=resolve_device(self.settings.device),
            stronger=stronger,
        )

    def check_recall(self, k: int = 10, queries: int = 200) -> Recall:
        """Recall@k of the FAISS index against exact search over the stored vectors."""
        return self.vectors.check_recall(self.store, k=k, queries=queries)

    def documents(self, under: Iterable[str | Path] | None = None) -> list[DocumentRow]:
        """Every document, or those at or under the given files/folders."""
        docs = self.store.documents()
        if under is None:
            return docs
        roots = [Path(os.path.abspath(p)) for p in under]
        return [d for d in docs if any(Path(d.path) == r or Path(d.path).is_relative_to(r) for r in roots)]

    def summarizer(self, on_node=None, progress=None, on_plan=None, batch: bool = True):
        """A Summarizer over this index and its generator (docqa.summarize.document); batch=False
        when it only reads stored trees (no Ray actors started for that)."""
        from docqa.summarize.document import Summarizer

        return Summarizer(self, lambda: self.generator(progress), self.settings.summarize, on_node=on_node,
                          model=self.settings.generation.model, on_plan=on_plan,
                          executor=self.executor if batch else None)

    def summarize(self, path: str | Path, mode: str | None = None, words: int | None = None, on_node=None):
        """Summarize one indexed document (map-reduce | refine | tree); reuses its stored summary tree."""
        doc = self.store.document(os.path.abspath(path))
        if doc is None:
            raise UsageError(f"{path}: not in the index (run `docqa ingest {path}` first)")
        return self.summarizer(on_node).document(doc, mode, words)

    def summarize_focus(self, topic: str, words: int | None = None, under: Iterable[str | Path] | None = None, on_token=None):
        """Summarize what the documents (or those under `under`) say about `topic`, with citations."""
        from docqa.summarize.focus import summarize_focus

        return summarize_focus(self, self.generator(), topic, self.settings, words, self.scope(under), on_token=on_token)

    def status(self) -> Status:
        from docqa.models.device import dtype_name, resolve_device

        docs, chunks = self.store.counts()
        device = resolve_device(self.settings.device)
        dim = self.store.get_meta("embed_dim")
        return Status(
            path=self.store.location,
            documents=docs,
            chunks=chunks,
            vectors=len(self._memory.vectors) if self._memory is not None else chunks,
            generation=self.store.generation,
            embed_model=self.store.get_meta("embed_model"),
            embed_dim=int(dim) if dim else None,
            llm=self.settings.generation.model,
            device=device,
            dtype=dtype_name(self.settings.embedding.dtype, device),
            disk_bytes=self.store.disk_bytes(),
        )


def _state_dir(url: str) -> Path:
    """Local files of a server store (chat line history): one folder per server and database."""
    import hashlib

    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    directory = base / "docqa" / ("pg-" + hashlib.sha256(redact_url(url).encode()).hexdigest()[:12])
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory
