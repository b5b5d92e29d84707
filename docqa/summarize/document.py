"""Whole-document summaries in three modes, every LLM call inside an exact token budget.

* map-reduce: summarize each window, then merge consecutive summaries in groups that fit one
  call, recursively, until one remains.
* refine: a running summary (the hidden state, capped at ``state_tokens``) is carried through
  the windows; each step reads the state and the next window and writes the new state, deciding
  what to keep, add and drop — an RNN's working memory, in prose.
* tree: window summaries, then one summary per top-level section (or per few windows when the
  document has no sections), then the document from the section summaries.

Each node is looked up by key before it is generated (nodes.py), so re-running after a crash, or
after an edit, generates only what is missing.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from docqa.errors import BudgetExceeded, UsageError
from docqa.memory.store import DocumentRow
from docqa.models.generation.base import Generator
from docqa.prompts import fence, load_prompt
from docqa.settings import SummarizeSettings
from docqa.summarize import faithful, language, salience
from docqa.summarize.language import Language, first_words, tidy
from docqa.summarize.length import Range, count, fit, target_words
from docqa.summarize.transcript import is_meeting, is_transcript
from docqa.summarize.nodes import Node, NodeStore, node_key
from docqa.summarize.windows import Window, at_most
from docqa.verification import without_loop

MODES = ("map-reduce", "refine", "tree")
# Calls that merge or rewrite summaries, run by summarize.reduce_model when it is set.
REDUCE_KINDS = frozenset({"section", "reduce", "document", "resize"})
# Windows per section node when a document has no sections of its own.
TREE_FANOUT = 4
# Summaries come out a little over their word target; room for the answer is sized from it.
TOKENS_PER_WORD = 1.6
_SENTENCE_END = re.compile(r"[.!?][\"')\]]?(?=\s|$)|[。！？][”’」』）]?")

# Called with each node as it is generated or found in the store (progress bars).
OnNode = Callable[[Node], None]
# Called once the windows are known, with the expected number of nodes in the tree.
OnPlan = Callable[[int], None]


def answer_room(words: int) -> int:
    return math.ceil(words * TOKENS_PER_WORD) + 16


def fanout_groups(leaves: list) -> list[list]:
    """Windows of a document without sections, TREE_FANOUT to a section node. A lone last window
    joins the group before it: alone it would be copied up as is, and its neighbours would cost a
    section call (five windows are one document reduce, not a section and a document)."""
    groups = [leaves[i : i + TREE_FANOUT] for i in range(0, len(leaves), TREE_FANOUT)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        groups[-2:] = [groups[-2] + groups[-1]]
    return groups


def trim_to_sentence(text: str, max_words: int | None = None) -> str:
    """About `max_words` words at most, ending at a complete sentence: the last that fits, or one
    that ends within a quarter past the limit (a summary cut by the token limit, or longer than
    asked for, still reads as whole sentences). Cut at the limit only when no sentence ends near.
    A run the model looped on ("水源、水源、水源、…") is said once."""
    text = tidy(without_loop(text))
    limit = len(text) if max_words is None else len(first_words(text, max_words))
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    inside = [e for e in ends if e <= limit]
    if inside and inside[-1] > limit // 2:
        return text[: inside[-1]]
    # A long last sentence (a Chinese list of items, counted in characters) ends where it ends, a
    # little past the limit, or else at the sentence before it: never cut in the middle of a word.
    past = [e for e in ends if limit < e <= limit * 5 // 4]
    if past or inside:
        return text[: past[0] if past else inside[-1]]
    return text[:limit]


@dataclass
class DocumentSummary:
    path: str
    title: str
    mode: str
    words: int
    text: str
    nodes: list[Node]
    budget: int
    seconds: float = 0.0
    reused_root: bool = False  # the whole tree came from the store: nothing was generated
    draft: str = ""  # the root as the model wrote it, before the length and fact checks
    unsupported: list[str] = field(default_factory=list)  # numbers and names of `text` the source lacks
    draft_unsupported: list[str] = field(default_factory=list)  # the same for `draft`
    words_asked: int = 0  # what the user asked for; `words` is less for a short document (length.target_words)
    language: str = language.ENGLISH.name  # what it is written in: the document's (summarize.language)

    @property
    def written(self) -> int:
        """Its length in words, a CJK character counted as one."""
        return count(self.text)

    @property
    def generated(self) -> int:
        return sum(1 for n in self.nodes if not n.cached)

    @property
    def reused(self) -> int:
        return sum(1 for n in self.nodes if n.cached)

    @property
    def cold_seconds(self) -> float:
        """What the whole tree cost to generate, reused nodes counted at their original cost."""
        return sum(n.seconds for n in self.nodes)

    @property
    def max_request_tokens(self) -> int:
        return max((n.request_tokens for n in self.nodes), default=0)

    @property
    def pages(self) -> tuple[int, int]:
        return self.nodes[-1].pages if self.nodes else (1, 1)


@dataclass
class _Request:
    kind: str
    label: str
    prompt: str
    values: dict[str, str]
    words: int
    room: int
    inputs: list[str]
    pages: tuple[int, int]
    chunk_ids: list[int]
    children: list[str] = field(default_factory=list)


@dataclass
class Call:
    """One LLM call of the tree with everything its node records: what an executor ships out."""

    key: str
    kind: str
    label: str
    messages: list[dict[str, str]]
    words: int
    room: int
    pages: tuple[int, int]
    chunk_ids: list[int]
    children: list[str]
    prompt: str  # name@version
    model: str
    request_tokens: int


class SummaryExecutor(Protocol):
    """Runs `generate_nodes` over batches of calls, yielding each batch's nodes in order (docqa.executors)."""

    spreads: bool  # batches run on several workers at once, not on this process's generator

    def summarize(self, batches: Iterable[list[Call]]) -> Iterator[list[Node]]: ...


def generate_nodes(calls: list[Call], generator: Generator) -> list[Node]:
    """The nodes of `calls`, generated together (one batch where the backend batches). Writes
    nothing, so any process holding a generator can run it; decoding is greedy, so the same calls
    give the same nodes wherever they run, given llama.cpp's thread count and a cold prompt cache
    (docs/scaling.md, "Distributed batch")."""
    t = time.perf_counter()
    results = generator.generate_batch([c.messages for c in calls], max_new_tokens=max(c.room for c in calls))
    share = (time.perf_counter() - t) / len(calls)
    return [
        Node(key=c.key, kind=c.kind, label=c.label, text=trim_to_sentence(r.text, c.words), pages=c.pages,
             chunk_ids=c.chunk_ids, children=c.children, prompt=c.prompt, model=c.model,
             request_tokens=c.request_tokens, seconds=share)
        for c, r in zip(calls, results)
    ]


class Summarizer:
    """Summarizes documents of one index with one generator; `on_node` sees every node."""

    def __init__(
        self, index, generator: Generator | Callable[[], Generator], settings: SummarizeSettings,
        on_node: OnNode | None = None, model: str | None = None, on_plan: OnPlan | None = None,
        executor: SummaryExecutor | None = None,
    ) -> None:
        self.index = index
        # A callable defers loading the LLM: a tree found whole in the store needs no model at all.
        self._generator = generator
        self.settings = settings
        self.model = model or getattr(generator, "name", None) or index.settings.generation.model
        self.nodes = NodeStore(index.store)
        self.on_node = on_node
        self.on_plan = on_plan
        # Runs the map step (window summaries, the wide part of a tree); reduce levels stay here.
        self.executor = executor
        self._reduce_generator: Generator | None = None
        self._reads: dict[tuple[int, str], tuple[Language, bool]] = {}

    def language(self, doc: DocumentRow, text: str | None = None) -> Language:
        """The language `doc` is summarized in: its own (summarize.language); `text` when read already."""
        return self._read(doc, text)[0]

    def _read(self, doc: DocumentRow, text: str | None = None) -> tuple[Language, bool]:
        """`doc`'s language and whether it is a transcript, read from its text once."""
        key = (doc.id, doc.sha256)
        if key not in self._reads:
            text = self.index.store.document_text(doc.id) if text is None else text
            lang = language.of(text)
            self._reads[key] = (language.for_meeting(lang) if is_meeting(text) else lang, is_transcript(text))
        return self._reads[key]

    @property
    def generator(self) -> Generator:
        if callable(self._generator) and not hasattr(self._generator, "generate"):
            self._generator = self._generator()
        return self._generator  # type: ignore[return-value]

    def generator_for(self, kind: str) -> Generator:
        """summarize.reduce_model for the reduce steps when set (a second, larger model), else the one."""
        if kind not in REDUCE_KINDS or not self.settings.reduce_model or self.settings.reduce_model == self.model:
            return self.generator
        if self._reduce_generator is None:
            from docqa.models.generation.factory import make_generator

            gen = self.index.settings.generation.model_copy(update={"model": self.settings.reduce_model})
            self._reduce_generator = make_generator(gen, self.index.settings.device)
        return self._reduce_generator

    def model_for(self, kind: str) -> str:
        return self.settings.reduce_model if kind in REDUCE_KINDS and self.settings.reduce_model else self.model

    @property
    def budget(self) -> int:
        return min(self.settings.budget, self.generator.context_tokens)

    def stamp(self, doc: DocumentRow) -> str:
        """What a stored tree of `doc` must match to be reused as is: the model, the sizes, every prompt
        version, and how its summary opens ("The meeting" for a meeting's transcript)."""
        prompts = ("summarize_map", "summarize_reduce", "summarize_refine", "summarize_resize")
        versions = ",".join(f"{p}@{load_prompt(p).version}" for p in prompts)
        s = self.settings
        return (f"{self.model}|{s.reduce_model or ''}|{s.budget}|{s.partial_words}|{s.state_tokens}|{s.select}|"
                f"{s.max_windows}|{s.salience}|{s.neighbours}|{s.tolerance}|{versions}|{self.language(doc).whole}")

    # -- one call -------------------------------------------------------------------------------

    def _messages(self, req: _Request) -> list[dict[str, str]]:
        return load_prompt(req.prompt).messages(**req.values, words=str(req.words))

    def measure(self, req: _Request) -> int:
        return self.generator.count_chat_tokens(self._messages(req)) + req.room

    def _key(self, req: _Request) -> str:
        prompt = load_prompt(req.prompt)
        return node_key(req.kind, f"{prompt.name}@{prompt.version}", self.model_for(req.kind), req.words, req.inputs)

    def run(self, requests: list[_Request], doc_path: str, executor: SummaryExecutor | None = None) -> list[Node]:
        """Nodes for `requests`: from the store where present, else generated in batches, by
        `executor` (docqa.executors; the map step) or else by this process's generator. Nodes are
        stored here, in order, whoever generated them."""
        out: list[Node | None] = []
        missing: list[tuple[int, str, _Request]] = []
        for i, req in enumerate(requests):
            key = self._key(req)
            node = self.nodes.get(key)
            out.append(node)
            if node is None:
                missing.append((i, key, req))
            elif self.on_node:
                self.on_node(node)
        size = self.settings.batch_size
        if missing and not (executor is not None and executor.spreads):
            # Where the backend runs a batch call by call (llama.cpp's one slot), each node is stored and
            # reported as it ends: a piped summary showed its 5 map calls at once, after a minute.
            size = min(size, self.generator_for(missing[0][2].kind).batch_size)
        batches = [[self._call(key, req) for _, key, req in missing[s : s + size]] for s in range(0, len(missing), size)]
        # A batch is all one kind of call (the planners below ask for one level at a time).
        generated = executor.summarize(batches) if executor else (
            generate_nodes(b, self.generator_for(b[0].kind)) for b in batches)
        slots = iter(missing)
        for nodes in generated:
            for node in nodes:
                i = next(slots)[0]
                self.nodes.put(node, doc_path)
                out[i] = node
                if self.on_node:
                    self.on_node(node)
        return [n for n in out if n is not None]

    def _call(self, key: str, req: _Request) -> Call:
        messages = self._messages(req)
        need = self.generator.count_chat_tokens(messages) + req.room
        if need > self.budget:  # the planners below size every request; this is their proof
            raise BudgetExceeded(f"{req.kind} request of {need} tokens exceeds the budget of {self.budget}")
        prompt = load_prompt(req.prompt)
        return Call(key=key, kind=req.kind, label=req.label, messages=messages, words=req.words, room=req.room,
                    pages=req.pages, chunk_ids=req.chunk_ids, children=req.children,
                    prompt=f"{prompt.name}@{prompt.version}", model=self.model_for(req.kind), request_tokens=need)

    # -- planning -------------------------------------------------------------------------------

    def windows(self, doc: DocumentRow, prompt: str, reserve: int) -> list[Window]:
        """The document's windows, sized so that a call with `reserve` more tokens fits the budget."""
        empty = load_prompt(prompt).messages(
            passages=fence(1, Path(doc.path).name, "9999-9999", ""), words="999", state="", opening=self.language(doc).whole
        )
        limit = self.budget - self.generator.count_chat_tokens(empty) - reserve - 8
        if limit < 64:
            raise UsageError(f"summarize.budget {self.budget} leaves no room for document text; raise it")
        chunks = self.index.store.document_chunks(doc.id)
        text = self.index.store.document_text(doc.id)
        count = self.generator.count_tokens
        s = self.settings
        # Attention before generation: wider windows, each cut to its most central sentences.
        windows, width = at_most(chunks, text, int(limit / s.select), count, s.max_windows)
        if width <= limit:
            return windows
        texts = salience.salient_texts([w.text for w in windows], self.index.embedder.embed, limit, count,
                                       s.salience, s.neighbours)
        return [replace(w, text=t) for w, t in zip(windows, texts)]

    def _window_request(self, doc: DocumentRow, w: Window, words: int, whole: bool = False) -> _Request:
        """A map call; `whole` when the window is all the document has read so far (a summary, not a part)."""
        a, b = w.pages
        lang, spoken = self._read(doc)
        opening = lang.whole if whole else lang.part_opening(spoken)
        return _Request(
            kind="window", label=w.section or f"p.{_pages(a, b)}", prompt="summarize_map",
            values={"passages": fence(1, Path(doc.path).name, _pages(a, b), w.text), "opening": opening},
            words=words, room=answer_room(words), inputs=[w.text, opening], pages=w.pages, chunk_ids=w.chunk_ids,
        )

    def _reduce_request(self, doc: DocumentRow, children: list[Node], words: int, kind: str, label: str,
                        lang: Language) -> _Request:
        body = "\n\n".join(
            fence(i, f"{Path(doc.path).name} · {c.label}", _pages(*c.pages), c.text) for i, c in enumerate(children, 1)
        )
        return _Request(
            kind=kind, label=label, prompt="summarize_reduce", values={"passages": body, "opening": lang.whole}, words=words,
            room=answer_room(words), inputs=[*(c.key for c in children), lang.whole],
            pages=(min(c.pages[0] for c in children), max(c.pages[1] for c in children)),
            chunk_ids=[i for c in children for i in c.chunk_ids], children=[c.key for c in children],
        )

    def collection(self, leads: list[tuple[str, str]], words: int, lang: Language) -> Node | None:
        """One call on what several documents are together, from one lead sentence each (file name,
        sentence; a job's overview: summarize/overview.py); None when the leads overflow the budget.
        Stored like any node, so a resumed job reuses it."""
        body = "\n\n".join(fence(i, name, "", lead) for i, (name, lead) in enumerate(leads, 1))
        req = _Request(kind="overview", label="overview", prompt="summarize_overview",
                       values={"passages": body, "count": str(len(leads)), "opening": lang.several}, words=words,
                       room=answer_room(words), inputs=[lead for _, lead in leads], pages=(0, 0), chunk_ids=[])
        return self.run([req], "overview")[0] if self.measure(req) <= self.budget else None

    def reduce(self, doc: DocumentRow, nodes: list[Node], words: int, kind: str, label: str, trail: list[Node],
               lang: Language | None = None) -> Node:
        """Merge `nodes` into one: in one call when they fit, else group by group, level by level;
        written in `lang`, by default `doc`'s language."""
        lang = lang or self.language(doc)
        level = nodes
        while True:
            whole = self._reduce_request(doc, level, words, kind, label, lang)
            if len(level) > 1 and self.measure(whole) <= self.budget:
                node = self.run([whole], doc.path)[0]
                trail.append(node)
                return node
            if len(level) == 1:
                return level[0]
            groups, current = [], []
            for node in level:
                trial = current + [node]
                req = self._reduce_request(doc, trial, self.settings.partial_words, "reduce", label, lang)
                if current and self.measure(req) > self.budget:
                    groups.append(current)
                    current = [node]
                else:
                    current = trial
            groups.append(current)
            if len(groups) == len(level):
                raise UsageError(f"summarize.budget {self.budget} cannot hold two partial summaries; raise it")
            requests = [self._reduce_request(doc, g, self.settings.partial_words, "reduce", label, lang)
                        for g in groups if len(g) > 1]
            made = iter(self.run(requests, doc.path))
            level = [next(made) if len(g) > 1 else g[0] for g in groups]
            trail.extend(n for g, n in zip(groups, level) if len(g) > 1)

    # -- modes ----------------------------------------------------------------------------------

    def document(self, doc: DocumentRow, mode: str | None = None, words: int | None = None) -> DocumentSummary:
        mode = mode or self.settings.mode
        asked = words or self.settings.words
        if mode not in MODES:
            raise UsageError(f"unknown summarize mode {mode!r} (choose from {', '.join(MODES)})")
        text = self.index.store.document_text(doc.id)
        words = target_words(asked, text)
        self.language(doc, text)  # from the text read here: the calls below ask for it
        t = time.perf_counter()
        stamp = self.stamp(doc)
        summary = self.stored(doc, mode, words, self.nodes.root(doc.path, mode, words, doc.sha256, stamp))
        if summary is None:
            trail = {"map-reduce": self._map_reduce, "refine": self._refine, "tree": self._tree}[mode](doc, words)
            self._resize(doc, words, trail)
            self.nodes.set_root(doc.path, mode, words, doc.sha256, stamp, [n.key for n in trail])
            summary = self._finish(doc, mode, words, trail, self.budget, t)
        summary.words_asked = asked
        return summary

    def stored(self, doc: DocumentRow, mode: str, words: int, keys: list[str] | None) -> DocumentSummary | None:
        """The summary a stored tree (`keys`, root last) finishes as, with no model call; None when
        a node is missing. What `document` returns for an unchanged document, and what a broad
        question reads, are one text."""
        if keys is None:
            return None
        t = time.perf_counter()
        nodes = [self.nodes.get(k) for k in keys]
        if any(n is None for n in nodes):
            return None
        return self._finish(doc, mode, words, nodes, self.settings.budget, t, reused_root=True)

    # -- length and facts -------------------------------------------------------------------------

    def _draft(self, trail: list[Node], words: int) -> tuple[str, list[str]]:
        """The root as the mode wrote it (a root that is a partial summary, rare, held to `words`
        too), and the summaries below it: its children's, then the finer ones (window summaries),
        each level in document order."""
        draft = next(n for n in reversed(trail) if n.kind != "resize")
        by_key = {n.key: n for n in trail}
        children = [by_key[k] for k in draft.children if k in by_key]
        finer = [n for n in trail if n is not draft and n.kind != "resize" and n not in children]
        return trim_to_sentence(draft.text, words), [n.text for n in children + finer]

    def _resize(self, doc: DocumentRow, words: int, trail: list[Node]) -> None:
        """One call to rewrite a draft outside the length range, from the parts it came from (or,
        for a one-window document, its text); the node joins the trail. A short draft with parts
        below it gets no call: `fit` fills it from them. Asked to add their main points, the 0.5B
        gave its draft back, and the final summaries of 6 QMSum meetings came out byte for byte
        the same without the call (stop 40), one call sooner."""
        draft, parts = self._draft(trail, words)
        target = Range(words, self.settings.tolerance)
        if target.holds(draft) or (parts and count(draft) < target.low):
            return
        if not parts:
            parts = [self.index.store.document_text(doc.id)]
        lang = self.language(doc)
        short = count(draft) < target.low
        direction = ("it is too short: add the main points, names and numbers from the parts that it leaves out."
                     if short else "it is too long: keep the main subject and the key points, drop the details.")
        root = trail[-1]

        def request(texts: list[str]) -> _Request:
            body = "\n\n".join(fence(i, f"{Path(doc.path).name} · part {i}", _pages(*root.pages), t)
                               for i, t in enumerate(texts, 1))
            return _Request(kind="resize", label=root.label, prompt="summarize_resize",
                            values={"passages": body, "draft": draft, "have": str(count(draft)), "direction": direction,
                                    "opening": lang.whole},
                            words=words, room=answer_room(words), inputs=[root.key, draft, *texts, lang.whole],
                            pages=root.pages,
                            chunk_ids=root.chunk_ids, children=[root.key])

        req = request(parts)
        while self.measure(req) > self.budget:  # the longest part gives way, then the last one shrinks
            if len(parts) > 1:
                parts.remove(max(parts, key=len))
            else:
                n = count(parts[0])
                if n < 8:
                    return
                parts = [first_words(parts[0], n * 3 // 4)]
            req = request(parts)
        trail.extend(self.run([req], doc.path))

    def _finish(self, doc: DocumentRow, mode: str, words: int, trail: list[Node], budget: int, t: float,
                reused_root: bool = False) -> DocumentSummary:
        """The summary held to its length range, with no number or name the document lacks."""
        target = Range(words, self.settings.tolerance)
        lang = self.language(doc)
        draft, parts = self._draft(trail, words)
        draft, parts = lang.written(draft), [lang.written(p) for p in parts]
        best = draft
        if trail[-1].kind == "resize":
            resized = trim_to_sentence(lang.written(trail[-1].text), target.high)
            # A rewrite that does not open as asked is most often the parts copied out: not a summary.
            opens = resized.startswith(lang.whole)
            if opens and abs(count(resized) - words) < abs(count(draft) - words):
                best = resized
        source = self.index.store.document_text(doc.id)
        text = fit(best, target, [*parts, draft], source, lang)
        return DocumentSummary(doc.path, doc.title, mode, words, text, trail, budget, time.perf_counter() - t,
                               reused_root=reused_root, draft=draft, unsupported=faithful.check(text, source),
                               draft_unsupported=faithful.check(draft, source), language=lang.name)

    def _leaves(self, doc: DocumentRow, words_if_single: int) -> tuple[list[Window], list[Node]]:
        windows = self.windows(doc, "summarize_map", answer_room(max(self.settings.partial_words, words_if_single)))
        if self.on_plan:
            # Reduce calls: a call merges about budget / partial-summary-size children, level by level.
            fan = max(2, self.budget // answer_room(self.settings.partial_words) - 1)
            self.on_plan(len(windows) + (len(windows) > 1) * (math.ceil((len(windows) - 1) / (fan - 1))))
        if not windows:
            raise UsageError(f"{doc.path}: no text to summarize")
        # A document that fits one window is summarized in one call, at the final length.
        words = words_if_single if len(windows) == 1 else self.settings.partial_words
        whole = len(windows) == 1
        return windows, self.run([self._window_request(doc, w, words, whole) for w in windows], doc.path, self.executor)

    def _map_reduce(self, doc: DocumentRow, words: int) -> list[Node]:
        _, leaves = self._leaves(doc, words)
        trail = list(leaves)
        if len(leaves) > 1:
            self.reduce(doc, leaves, words, "document", Path(doc.path).name, trail)
        return trail

    def _tree(self, doc: DocumentRow, words: int) -> list[Node]:
        windows, leaves = self._leaves(doc, words)
        trail = list(leaves)
        if len(leaves) == 1:
            return trail
        groups: list[list[Node]] = []
        if any(w.section for w in windows):
            for i, node in enumerate(leaves):
                if i and windows[i].section == windows[i - 1].section:
                    groups[-1].append(node)
                else:
                    groups.append([node])
        else:
            groups = fanout_groups(leaves)
        if len(groups) == 1:  # one section: its summary is the document's, at the final length
            self.reduce(doc, leaves, words, "document", Path(doc.path).name, trail)
            return trail
        sections = []
        for group in groups:
            label = group[0].label if windows[0].section else f"p.{_pages(group[0].pages[0], group[-1].pages[1])}"
            sections.append(self.reduce(doc, group, self.settings.partial_words, "section", label, trail))
        if len(sections) > 1:
            self.reduce(doc, sections, words, "document", Path(doc.path).name, trail)
        return trail

    def _refine(self, doc: DocumentRow, words: int) -> list[Node]:
        cap = self.settings.state_tokens
        room = min(cap, answer_room(words))
        windows = self.windows(doc, "summarize_refine", cap + room)
        if self.on_plan:
            self.on_plan(len(windows))
        if not windows:
            raise UsageError(f"{doc.path}: no text to summarize")
        # The first state is a plain summary of the first window: an empty "summary so far" only
        # invites a small model to echo the prompt.
        first = self._window_request(doc, windows[0], words, whole=True)
        first.kind, first.room = "refine", room
        state = self.run([first], doc.path)[0]
        trail = [state]
        opening = self.language(doc).whole
        for w in windows[1:]:
            a, b = w.pages
            req = _Request(
                kind="refine", label=w.section or f"p.{_pages(a, b)}", prompt="summarize_refine",
                values={"state": self._cap(state.text, cap), "passages": fence(1, Path(doc.path).name, _pages(a, b), w.text),
                        "opening": opening},
                words=words, room=room, inputs=[state.key, w.text, opening], pages=(state.pages[0], b),
                chunk_ids=w.chunk_ids, children=[state.key],
            )
            state = self.run([req], doc.path)[0]
            trail.append(state)
        return trail

    def _cap(self, text: str, cap: int) -> str:
        """The state never exceeds its capacity: a longer one is cut at a sentence."""
        if self.generator.count_tokens(text) <= cap:
            return text
        n = count(text)
        while n and self.generator.count_tokens(first_words(text, n)) > cap:
            n = int(n * 0.9)
        return trim_to_sentence(first_words(text, n))


def _pages(a: int, b: int) -> str:
    return str(a) if a == b else f"{a}-{b}"
