"""Where batch work runs: in this process (default) or on Ray actors (`--executor ray`).

Both executors run the same pure functions, `ingest.pipeline.prepare` (load, chunk, embed a batch
of files) and `summarize.document.generate_nodes` (a batch of map calls), and yield each batch's
outcomes in the order the batches were given. The caller (the driver) writes them to the store
itself, in that order, so crash safety, Ctrl-C, incremental skips and the writer lock do not
depend on where the work ran.

Ray (``pip install 'docqa[ray]'``) is imported only here and only when asked for. Each actor loads
its own embedder and, for summaries, its own LLM (or an HTTP client when ``generation.base_url``
is set: then the server holds the model and actors load none). Actors read the files by path, so
on a multi-node cluster the documents must be on a filesystem every node mounts.
"""

from __future__ import annotations

import socket
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from docqa.errors import ConfigError, DocqaError
from docqa.ingest.pipeline import Prepared, Skipped, prepare
from docqa.models.embedder import Embedder
from docqa.settings import IngestSettings, Settings
from docqa.summarize.document import Call, generate_nodes
from docqa.summarize.nodes import Node

# CPUs Ray reserves per actor (Ray sets OMP_NUM_THREADS to match; the actor's torch and llama.cpp
# still run with the driver's thread count, for results equal to the in-process ones).
ACTOR_CPUS = 1
# Batches queued per actor: one running and one waiting, so no actor idles while the driver commits.
QUEUED_PER_ACTOR = 2


class InProcess:
    """The default: the batch functions run here, with the index's own (lazily loaded) models."""

    spreads = False

    def __init__(self, embedder: Callable[[], Embedder], generator: Callable[[], Any]) -> None:
        self._embedder = embedder
        self._generator = generator

    def prepare(self, batches: Iterable[list[Path]], settings: IngestSettings) -> Iterator[list[Prepared | Skipped]]:
        for batch in batches:
            yield prepare(batch, settings, self._embedder())

    def summarize(self, batches: Iterable[list[Call]]) -> Iterator[list[Node]]:
        for batch in batches:
            yield generate_nodes(batch, self._generator())

    def close(self) -> None: ...


class Worker:
    """A Ray actor's state: models loaded on first use and kept for every batch it is sent."""

    def __init__(self, settings: Settings, torch_threads: int) -> None:
        # Unpickling this class imported docqa, which set HF_HUB_OFFLINE in the actor's process.
        self.settings = settings
        self.torch_threads = torch_threads
        self._embedder: Embedder | None = None
        self._generator = None

    def prepare(self, paths: list[Path], settings: IngestSettings) -> list[Prepared | Skipped]:
        if self._embedder is None:
            from docqa.models.embedder import make_embedder

            import torch

            torch.set_num_threads(self.torch_threads)
            self._embedder = make_embedder(self.settings.embedding, self.settings.device)
        return prepare(paths, settings, self._embedder)

    def summarize(self, calls: list[Call]) -> list[Node]:
        if self._generator is None:
            from docqa.models.generation.factory import make_generator

            self._generator = make_generator(self.settings.generation, self.settings.device)
        return generate_nodes(calls, self._generator)


class RayExecutor:
    """Batches go round-robin to a pool of actors (`batch.actors`, 0 = one per CPU of the cluster).

    An actor pool rather than ``ray.data``'s ``map_batches``: plain ``ray`` then suffices (Ray Data
    adds pandas and pyarrow, 67 MB of wheels), results come back in order without Ray Data's
    ``preserve_order``, and the driver can stop feeding batches at the first Ctrl-C.
    """

    spreads = True

    def __init__(self, settings: Settings) -> None:
        try:
            import ray
        except ImportError:
            raise ConfigError("batch.executor = ray needs Ray: pip install 'docqa[ray]'") from None
        self._ray = ray
        if not settings.generation.threads:
            # llama.cpp's greedy text depends on its thread count (SmolLM2 on one 400-token window:
            # 1 and 2 threads write different summaries), so actors run with the count this process
            # would use, and their nodes equal the in-process ones key for key.
            from docqa.models.device import cpu_count

            generation = settings.generation.model_copy(update={"threads": cpu_count()})
            settings = settings.model_copy(update={"generation": generation})
        self.settings = settings
        # Likewise torch: a bf16 CPU sums MiniLM's products in another order on one thread than on
        # two (vectors 8e-4 apart), so actors embed with the thread count this process would use.
        import torch

        self._torch_threads = torch.get_num_threads()
        self._started = False
        self._actors: list[Any] = []

    def _pool(self) -> list[Any]:
        ray = self._ray
        if not self._actors:
            if not ray.is_initialized():
                address = self.settings.batch.ray_address
                _check_reachable(address)
                try:
                    ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
                except (ConnectionError, RuntimeError, ValueError) as exc:
                    where = f"at {address}" if address else "locally"
                    raise ConfigError(f"cannot start or reach Ray {where}: {exc}") from None
                self._started = True
            n = self.settings.batch.actors or max(1, int(ray.cluster_resources().get("CPU", 1)) // ACTOR_CPUS)
            actor = ray.remote(num_cpus=ACTOR_CPUS, num_gpus=self.settings.batch.gpus_per_actor)(Worker)
            self._actors = [actor.remote(self.settings, self._torch_threads) for _ in range(n)]
        return self._actors

    def _map(self, method: str, batches: Iterable[Any], *args: Any) -> Iterator[Any]:
        """Results of `method` over `batches`, in order. Batches are taken from the iterator only
        as actors have room, so a driver that stops yielding (Ctrl-C) stops the work."""
        ray = self._ray
        actors = self._pool()
        pending: deque = deque()
        source = iter(batches)
        sent = 0
        while True:
            while len(pending) < QUEUED_PER_ACTOR * len(actors):
                batch = next(source, None)
                if batch is None:
                    break
                pending.append(getattr(actors[sent % len(actors)], method).remote(batch, *args))
                sent += 1
            if not pending:
                return
            try:
                yield ray.get(pending.popleft())
            except ray.exceptions.RayTaskError as exc:
                # A docqa error in an actor (a missing model package, ...) stays one line.
                if isinstance(exc.cause, DocqaError):
                    raise exc.cause from None
                raise

    def prepare(self, batches: Iterable[list[Path]], settings: IngestSettings) -> Iterator[list[Prepared | Skipped]]:
        return self._map("prepare", batches, settings)

    def summarize(self, batches: Iterable[list[Call]]) -> Iterator[list[Node]]:
        return self._map("summarize", batches)

    def close(self) -> None:
        """Stop the actors, and the local Ray runtime if this executor started it."""
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors = []
        if self._started:
            self._ray.shutdown()
            self._started = False


def _check_reachable(address: str | None) -> None:
    """ray.init retries an address nobody listens on for minutes; a TCP connect tells in seconds."""
    host, _, port = (address or "").split("://", 1)[-1].rpartition(":")
    if not host or not port.isdigit():
        return  # none (a local runtime), "auto", or a form Ray itself will judge
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        raise ConfigError(f"cannot reach Ray at {address}: {exc.strerror or exc}") from None


def make_executor(settings: Settings, embedder: Callable[[], Embedder], generator: Callable[[], Any]) -> InProcess | RayExecutor:
    if settings.batch.executor == "ray":
        return RayExecutor(settings)
    return InProcess(embedder, generator)
