"""Background work of the server (ingest, summaries) as jobs a client polls: GET /v1/jobs/{id}.

A job runs on its own thread; its progress and result live in memory only (the work itself is
stored by the index, so a restarted server loses the job record, never the documents).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from docqa.errors import DocqaError
from docqa.ingest.pipeline import Progress

log = logging.getLogger("docqa.server")


@dataclass
class Job:
    id: str
    kind: str  # "ingest" | "summary"
    state: str = "queued"  # queued | running | done | failed
    total: int = 0  # files (ingest) or 0 when unknown
    done: int = 0
    chunks: int = 0
    current: str = ""
    result: dict[str, Any] | None = None
    error: str = ""
    created: float = field(default_factory=time.time)
    finished: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class JobProgress(Progress):
    """An ingest's progress written into its job record (the pipeline calls it from the job's thread)."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def start(self, total_files: int) -> None:
        self.job.total = total_files

    def file(self, path: str) -> None:
        self.job.current = path

    def advance(self, files: int, chunks: int) -> None:
        self.job.done += files
        self.job.chunks += chunks


class Jobs:
    """The jobs of one server; the oldest finished ones are forgotten beyond `keep`."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def start(self, kind: str, work: Callable[[Job], dict[str, Any]]) -> Job:
        """Run `work(job)` on a thread; what it returns is the job's result."""
        job = Job(id=uuid.uuid4().hex[:12], kind=kind)
        with self._lock:
            self._jobs[job.id] = job
            finished = [j for j in self._jobs.values() if j.finished is not None]
            for old in finished[: max(0, len(self._jobs) - self.keep)]:
                del self._jobs[old.id]
        threading.Thread(target=self._run, args=(job, work), name=f"docqa-job-{job.id}", daemon=True).start()
        return job

    @staticmethod
    def _run(job: Job, work: Callable[[Job], dict[str, Any]]) -> None:
        job.state = "running"
        try:
            job.result = work(job)
            job.state = "done"
        except DocqaError as exc:
            job.error, job.state = str(exc), "failed"
        except Exception as exc:  # a job's thread must not die silently: the client polls for an outcome
            log.exception("job %s failed", job.id)
            job.error, job.state = f"internal error ({type(exc).__name__})", "failed"
        finally:
            job.current = ""
            job.finished = time.time()
