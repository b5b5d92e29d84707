"""Prompt templates live in prompts/ as files; this module reads and fills them.

A template has sections (``=== system ===``, ``=== user ===``) and ``$name`` placeholders
(string.Template, so braces in document text are never interpreted).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from docqa.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
_SECTION = re.compile(r"^=== (\w+) ===\s*$", re.MULTILINE)
_VERSION = re.compile(r'docqa prompt "(\w+)", version (\d+)')


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: int
    sections: dict[str, Template]

    def messages(self, **values: str) -> list[dict[str, str]]:
        return [{"role": role, "content": t.substitute(values).strip()} for role, t in self.sections.items()]


@functools.lru_cache(maxsize=None)
def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> PromptTemplate:
    path = directory / f"{name}.md"
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: prompt template missing ({exc.strerror})") from exc
    m = _VERSION.search(raw)
    parts = _SECTION.split(raw)
    sections = {parts[i]: Template(parts[i + 1]) for i in range(1, len(parts) - 1, 2)}
    if not m or "user" not in sections:
        raise ConfigError(f"{path}: not a docqa prompt (needs a version line and a '=== user ===' section)")
    return PromptTemplate(name, int(m.group(2)), sections)


def fence(n: int, source: str, page: str, text: str) -> str:
    """A numbered, labelled passage. A passage can't close its own fence (tags inside are defused)
    nor open a chat turn: the tokenizer reads `<|im_start|>`-style text as control tokens."""
    safe = re.sub(r"</?\s*passage", lambda m: m.group(0).replace("<", "‹"), text, flags=re.IGNORECASE)
    safe = safe.replace("<|", "‹|").replace("|>", "|›")
    return f'<passage n="{n}" source="{source}" page="{page}">\n{safe}\n</passage>'
