"""One writer at a time per index, any number of readers (readers never take this lock)."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from docqa.errors import StoreError

LOCK_NAME = ".lock"


@contextmanager
def writer_lock(directory: Path, wait: bool = False, poll_s: float = 0.5) -> Iterator[None]:
    path = directory / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                    raise StoreError(
                        f"another ingest is running on {directory} (pid {holder}); "
                        "wait for it or pass --wait"
                    ) from None
                time.sleep(poll_s)
        # The kernel drops a flock when its holder dies, so a kill -9 never leaves a stale lock;
        # the pid is only there for the message above.
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
