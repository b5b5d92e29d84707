"""The saved prompt templates (llama.cpp KV caches on disk): one file per template, read alone
once, restored by later processes, least recently used dropped."""

from __future__ import annotations

import os

from docqa.models.generation.llamacpp import PrefixStore


def _store(tmp_path) -> PrefixStore:
    gguf = tmp_path / "model.gguf"
    if not gguf.exists():  # written once: its mtime is part of the key, and a rewrite may cross a second
        gguf.write_bytes(b"GGUF")
    return PrefixStore(tmp_path / "prefixes", gguf, 4096)


def _slot(directory, calls):
    """What llama.cpp's /slots endpoint does: save writes the file, restore reads it."""
    def slot(action: str, filename: str) -> bool:
        calls.append((action, filename))
        if action == "save":
            (directory / filename).write_bytes(b"kv")
        return action == "save" or (directory / filename).is_file()
    return slot


def _asked(template: str, question: str = "Q?") -> list[dict[str, str]]:
    return [{"role": "system", "content": template}, {"role": "user", "content": question}]


def test_a_template_is_read_alone_and_saved_once_then_restored_by_the_next_process(tmp_path):
    first, calls, prefilled = _store(tmp_path), [], []
    slot = _slot(first.directory, calls)
    first.first_use(_asked("Answer briefly."), slot, prefilled.append)
    first.first_use(_asked("Answer briefly.", "Another?"), slot, prefilled.append)
    key = first.key(_asked("Answer briefly."))
    assert prefilled == [_asked("Answer briefly.")], "read alone once per process"
    assert calls == [("save", f"{key}.{os.getpid()}.part")]
    assert [f.name for f in first.directory.iterdir()] == [f"{key}.bin"]
    second = _store(tmp_path)
    second.first_use(_asked("Answer briefly.", "Third?"), slot, prefilled.append)
    assert calls[-1] == ("restore", f"{key}.bin") and len(prefilled) == 1, "restored, not read again"
    assert first.key(_asked("Answer at length.")) != key, "another template is another file"
    assert first.key([{"role": "user", "content": "no template"}]) is None


def test_the_least_recently_used_templates_are_dropped(tmp_path):
    store, calls = _store(tmp_path), []
    slot = _slot(store.directory, calls)
    keys = []
    for i in range(PrefixStore.KEEP + 3):
        store.first_use(_asked(f"Template {i}"), slot, lambda messages: None)
        keys.append(store.key(_asked(f"Template {i}")))
        os.utime(store.directory / f"{keys[-1]}.bin", (i, i))  # mtimes a second apart, oldest first
    assert {f.stem for f in store.directory.glob("*.bin")} == set(keys[3:])
