"""Progress as plain lines, for a user who pipes the output: one line per finished node (or job
item) with an ETA, written to stderr by the CLI when stderr is not a terminal (a terminal gets a
bar instead). The ETA is the mean time per finished step times the steps left; the total is the
planner's estimate and grows when the tree needs more calls than planned."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path


def clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Lines:
    """Counts finished steps against a total and writes one line per step through `write`."""

    def __init__(self, write: Callable[[str], None], unit: str = "calls", now: Callable[[], float] = time.monotonic) -> None:
        self.write, self.unit, self.now = write, unit, now
        self.total: int | None = None
        self.done = 0
        self.began = now()

    def plan(self, total: int, done: int = 0) -> None:
        self.total, self.done = total, done

    def step(self, what: str) -> None:
        self.done += 1
        if self.total is not None and self.done > self.total:
            self.total = self.done
        elapsed = self.now() - self.began
        of = f"/{self.total}" if self.total is not None else ""
        eta = f" · eta {clock(elapsed / self.done * (self.total - self.done))}" if self.total else ""
        self.write(f"summarize {self.done}{of} {self.unit} · {what} · {clock(elapsed)} elapsed{eta}")

    def node(self, node) -> None:
        """`Summarizer` on_node: a generated or reused node."""
        self.step(f"{node.kind} {node.label}"[:60] + (" (reused)" if node.cached else ""))


class JobLines(Lines):
    """`jobs.JobProgress` as lines: one per finished item (a document, or the overview of them all)."""

    def __init__(self, write: Callable[[str], None]) -> None:
        super().__init__(write, unit="items")
        self.current = ""

    def start(self, total: int, done: int) -> None:
        # Items finished before a resume cost nothing now: count only what this run does.
        self.plan(total - done)

    def item(self, path: str) -> None:
        self.current = Path(path).name

    def advance(self) -> None:
        self.step(self.current)

    def stop(self) -> None: ...
