"""Summaries: windows, the budget of every call, the summary tree as memory, resumable jobs.

The documents are real (ingested with the real embedder); the LLM is a fake that counts
whitespace tokens, because these tests are about orchestration, not summary quality
(tests/e2e/test_summarize_e2e.py runs the real model).
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from docqa.cli import app
from docqa.records import Hit
from docqa.summarize import jobs
from docqa.summarize.document import Summarizer, fanout_groups
from docqa.summarize.salience import GAP
from docqa.summarize.windows import at_most, make_windows
from tests.conftest import write
from tests.unit.fakes import FakeGenerator

WORDS = "harbour lantern council ferry orchard quarry canal bakery meadow railway engine market".split()


def paragraph(seed: int, n: int = 60) -> str:
    return " ".join(f"{WORDS[(seed * 7 + i * 3) % len(WORDS)]}{seed}x{i}" for i in range(n)) + "."


class RecordingGenerator(FakeGenerator):
    """Records, for every call, the exact request size (prompt + answer room) and the prompt."""

    def __init__(self, answer: str = "A short partial summary of the part.", fail_on: str | None = None) -> None:
        super().__init__(answer)
        self.requests: list[int] = []
        self.prompts: list[str] = []  # the last message of every call
        self.fail_on = fail_on

    def generate_batch(self, batch, max_new_tokens, stop=None):
        for messages in batch:
            if self.fail_on and self.fail_on in messages[-1]["content"]:
                raise KeyboardInterrupt
            self.requests.append(self.count_chat_tokens(messages) + max_new_tokens)
            self.prompts.append(messages[-1]["content"])
        return super().generate_batch(batch, max_new_tokens, stop)


@pytest.fixture
def long_markdown(tmp_path):
    sections = []
    for s in range(3):
        sections.append(f"# Part {s}\n\n" + "\n\n".join(paragraph(s * 10 + p) for p in range(8)))
    return write(tmp_path / "docs" / "report.md", "\n\n".join(sections))


def _summarizer(index, gen, **overrides):
    settings = index.settings.summarize.model_copy(update={"budget": 700, "partial_words": 40, "words": 60, **overrides})
    return Summarizer(index, gen, settings)


@pytest.mark.parametrize("mode", ["map-reduce", "refine", "tree"])
def test_every_call_fits_the_budget(index, embedder, long_markdown, mode):
    index.ingest([long_markdown])
    gen = RecordingGenerator(answer=" ".join(["word"] * 80) + ".")  # answers longer than asked for
    summary = _summarizer(index, gen, state_tokens=120).document(index.documents()[0], mode)
    assert len(gen.requests) >= 4, "the document should need several calls at this budget"
    assert max(gen.requests) <= 700
    assert summary.max_request_tokens == max(gen.requests)
    assert summary.text


@pytest.mark.parametrize("windows, sizes", [(1, [1]), (4, [4]), (5, [5]), (6, [4, 2]), (8, [4, 4]), (9, [4, 5])])
def test_windows_without_sections_go_four_to_a_section_and_a_lone_last_one_joins_its_neighbours(windows, sizes):
    assert [len(g) for g in fanout_groups(list(range(windows)))] == sizes


def test_windows_cover_the_document_in_order_and_fit(index, embedder, long_markdown):
    index.ingest([long_markdown])
    doc = index.documents()[0]
    chunks = index.store.document_chunks(doc.id)
    count = FakeGenerator().count_tokens
    windows = make_windows(chunks, index.store.document_text(doc.id), 300, count)
    assert [c.ord for w in windows for c in w.chunks] == [c.ord for c in chunks]
    assert all(count(w.text) <= 300 for w in windows)
    assert len({w.section for w in windows}) == 3  # sections are respected


def test_past_a_bound_windows_widen_instead_of_multiplying(index, embedder, long_markdown):
    index.ingest([long_markdown])
    doc = index.documents()[0]
    chunks, text = index.store.document_chunks(doc.id), index.store.document_text(doc.id)
    count = FakeGenerator().count_tokens
    natural = make_windows(chunks, text, 200, count)
    assert (natural, 200) == at_most(chunks, text, 200, count, 0) == at_most(chunks, text, 200, count, len(natural))
    windows, width = at_most(chunks, text, 200, count, 2)
    assert len(natural) > 2 >= len(windows)
    assert width > 200 and all(count(w.text) <= width for w in windows)
    assert [c.ord for w in windows for c in w.chunks] == [c.ord for c in chunks]


def test_a_long_document_takes_at_most_max_windows_map_calls_each_reading_its_central_sentences(
        index, embedder, tmp_path):
    # A summary's time is its calls: a 20-page PDF read window by window took 15 calls and 186 s.
    index.ingest([write(tmp_path / "docs" / "log.txt", "\n\n".join(paragraph(i) for i in range(60)))])
    doc = index.documents()[0]

    def map_calls(max_windows: int) -> list[str]:
        """The prompts of the map calls (each asks for what "This part" says)."""
        gen = RecordingGenerator()
        _summarizer(index, gen, max_windows=max_windows).document(doc, "tree")
        assert max(gen.requests) <= 700
        return [p for p in gen.prompts if '"This part' in p]

    assert len(map_calls(0)) > 2
    bounded = map_calls(2)
    assert len(bounded) == 2
    assert all(GAP.strip() in p for p in bounded), "a wider window is read by its most central sentences"


def _hits(texts: list[str]) -> tuple[list[Hit], str]:
    doc, hits = "", []
    for i, t in enumerate(texts):
        start = len(doc)
        doc += t + "\n\n"
        hits.append(Hit(i, 1, "/d.txt", "d", i, t, 1, 1, "", start, start + len(t), 0.0))
    return hits, doc


def _reused_after_insert(monkeypatch, cut_every: int) -> float:
    """Share of windows found again after one paragraph is inserted near the start."""
    from docqa.summarize import windows as w

    monkeypatch.setattr(w, "CUT_EVERY", cut_every)
    count = FakeGenerator().count_tokens
    texts = [paragraph(i, 40 + i % 5) for i in range(80)]  # even sizes, as the chunker makes them
    before, doc = _hits(texts)
    after, doc2 = _hits(texts[:3] + [paragraph(999, 42)] + texts[3:])
    old = {x.text for x in make_windows(before, doc, 600, count)}
    new = [x.text for x in make_windows(after, doc2, 600, count)]
    return sum(t in old for t in new) / len(new)


def test_a_written_part_is_told_and_a_transcript_s_part_is_described(index, embedder, long_markdown, tmp_path):
    # Asked to start "This part", the small model described a report's parts ("This part summarizes
    # the text about …"); asked for what a meeting's part says, it quoted the speakers. A transcript of
    # three speakers is a meeting, and its summary says so; an interview of two is still "The document".
    speakers = ("Project Manager", "Marketing", "Industrial Designer")
    meeting = write(tmp_path / "docs" / "meeting.txt",
                    "\n\n".join(f"{speakers[i % 3]}: {paragraph(i, 40)}" for i in range(40)))
    interview = write(tmp_path / "docs" / "interview.txt",
                      "\n\n".join(f"{speakers[i % 2]}: {paragraph(i, 40)}" for i in range(40)))
    index.ingest([long_markdown, meeting, interview])
    for name, part, whole in (("report.md", "This part says that", "The document"),
                              ("meeting.txt", "This part", "The meeting"), ("interview.txt", "This part", "The document")):
        gen = RecordingGenerator()
        doc = next(d for d in index.documents() if d.path.endswith(name))
        _summarizer(index, gen).document(doc, "map-reduce")
        openings = {re.search(r'Start with the words "([^"]*)"', p).group(1) for p in gen.prompts}
        assert openings == {part, whole}, name  # the parts, then the whole


def test_a_meeting_summarized_before_it_was_named_so_is_summarized_again_from_its_stored_parts(
        index, embedder, tmp_path, monkeypatch):
    # A tree stored when a meeting's summary still opened "The document" is not served as the summary:
    # the opening is part of the stored root and of each reduce call's key. The windows' summaries,
    # which open "This part" either way, are found again.
    from docqa.summarize import language

    speakers = ("Project Manager", "Marketing", "Industrial Designer")
    meeting = write(tmp_path / "docs" / "meeting.txt",
                    "\n\n".join(f"{speakers[i % 3]}: {paragraph(i, 40)}" for i in range(40)))
    index.ingest([meeting])
    doc = index.documents()[0]
    with monkeypatch.context() as m:
        m.setattr(language, "for_meeting", lambda lang: lang)  # as summaries were written before
        _summarizer(index, RecordingGenerator()).document(doc, "map-reduce")
    gen = RecordingGenerator()
    again = _summarizer(index, gen).document(doc, "map-reduce")
    assert not again.reused_root
    assert gen.prompts and all('Start with the words "The meeting"' in p for p in gen.prompts), "only the reduce runs"


def test_content_defined_windows_resync_after_an_early_edit(monkeypatch):
    content_defined = _reused_after_insert(monkeypatch, 5)
    position_based = _reused_after_insert(monkeypatch, 10**9)  # never a content cut: greedy packing
    assert content_defined >= 0.7
    assert position_based < 0.3  # every later window shifts by one paragraph


def test_an_unchanged_document_is_summarized_from_the_store(index, embedder, long_markdown):
    index.ingest([long_markdown])
    doc = index.documents()[0]
    gen = RecordingGenerator()
    first = _summarizer(index, gen).document(doc, "tree")
    calls = len(gen.requests)
    again = _summarizer(index, gen).document(doc, "tree")
    assert again.reused_root and again.text == first.text
    assert len(gen.requests) == calls


@pytest.mark.parametrize("batch_size", [1, 8])
def test_each_part_is_stored_and_reported_as_it_ends_unless_the_backend_batches(index, embedder, long_markdown,
                                                                                batch_size):
    # llama.cpp runs a batch call by call: its 5 map calls of a piped summary were shown at once, after a minute.
    index.ingest([long_markdown])
    reported, batches = [], []

    class Backend(RecordingGenerator):
        def generate_batch(self, batch, max_new_tokens, stop=None):
            batches.append((len(batch), len(reported)))  # the calls asked together, the parts reported before
            return super().generate_batch(batch, max_new_tokens, stop)

    gen = Backend()
    gen.batch_size = batch_size
    settings = index.settings.summarize.model_copy(update={"budget": 700, "partial_words": 40, "batch_size": 8})
    Summarizer(index, gen, settings, on_node=reported.append).document(index.documents()[0], "map-reduce")

    windows = len([n for n in reported if n.kind == "window"])
    assert windows > 2
    if batch_size == 1:
        assert batches[:windows] == [(1, i) for i in range(windows)]
    else:
        assert batches[0] == (windows, 0)


@pytest.fixture
def either_index(backend_settings):
    """The summary tree and jobs are derived memory: they live in whichever store holds the chunks."""
    from docqa.index import Index

    with Index.open(backend_settings.index, backend_settings) as idx:
        yield idx


def test_an_edit_regenerates_only_changed_nodes_and_their_ancestors(either_index, embedder, long_markdown):
    index = either_index
    index.ingest([long_markdown])
    gen = RecordingGenerator()
    first = _summarizer(index, gen).document(index.documents()[0], "tree")
    text = long_markdown.read_text(encoding="utf-8")
    last_paragraph = paragraph(27)
    long_markdown.write_text(text.replace(last_paragraph, paragraph(555)), encoding="utf-8")
    index.ingest([long_markdown])
    doc = index.documents()[0]
    second = _summarizer(index, gen).document(doc, "tree")
    regenerated = [n for n in second.nodes if not n.cached]
    assert 0 < len(regenerated) < len(first.nodes)
    # Only Part 2's windows, its section node, the document node and its length fix can have changed.
    assert {n.kind for n in regenerated} <= {"window", "section", "document", "resize"}
    assert all(n.label == "Part 2" for n in regenerated if n.kind in ("window", "section"))
    assert any(n.kind == "document" for n in regenerated)
    # Nodes no current tree uses are forgotten.
    assert index.summarizer().nodes.count(doc.path) == len({n.key for n in second.nodes})


def test_refine_carries_a_capped_state(index, embedder, long_markdown):
    index.ingest([long_markdown])
    gen = RecordingGenerator(answer=" ".join(f"fact{i}." for i in range(200)))
    summary = _summarizer(index, gen, state_tokens=100).document(index.documents()[0], "refine")
    assert len(gen.calls) == len(summary.nodes) >= 3
    assert "<summary>" not in gen.calls[0][-1]["content"]  # the first state summarizes the first window
    states = [re.search(r"<summary>\n(.*)\n</summary>", c[-1]["content"], re.S).group(1) for c in gen.calls[1:]]
    assert all(0 < gen.count_tokens(s) <= 100 for s in states)
    assert states[0].startswith("fact0.")


def _three_docs(tmp_path):
    return [write(tmp_path / "batch" / f"doc{i}.txt", "\n\n".join(paragraph(100 * i + p) for p in range(12))) for i in range(3)]


def test_a_job_resumes_after_an_interruption_and_never_redoes_an_item(either_index, embedder, tmp_path, monkeypatch):
    index = either_index
    paths = _three_docs(tmp_path)
    index.ingest([tmp_path / "batch"])
    out = tmp_path / "out"
    job = jobs.create(index, index.documents(), out, "map-reduce", 60)
    done: list[str] = []
    real = Summarizer.document

    def counting(self, doc, mode=None, words=None):
        summary = real(self, doc, mode, words)
        done.append(doc.path)
        return summary

    monkeypatch.setattr(Summarizer, "document", counting)
    # The second document's first call is "killed" (Ctrl-C arrives inside the LLM call).
    with pytest.raises(KeyboardInterrupt):
        jobs.run(index, job.id, _summarizer(index, RecordingGenerator(fail_on=paragraph(100)[:40])))
    state = {it.item: it.state for it in jobs.load(index, job.id).items}
    assert state[str(paths[0].resolve())] == "done" and state[str(paths[1].resolve())] == "pending"
    assert jobs.load(index, job.id).state == "interrupted"

    finished = jobs.run(index, job.id, _summarizer(index, RecordingGenerator()))
    assert finished.state == "done" and finished.counts == {"pending": 0, "done": 4, "failed": 0}
    assert sorted(done) == sorted(str(p.resolve()) for p in paths)  # each document summarized once
    for it in finished.items:
        data = json.loads((out / it.result["json"].split("/")[-1]).read_text(encoding="utf-8"))
        assert data.get("summary") or data.get("overview")
    assert (out / "overview.md").read_text(encoding="utf-8").startswith("# Overview")


def test_a_failing_document_is_recorded_and_the_job_goes_on(index, embedder, tmp_path):
    paths = _three_docs(tmp_path)
    index.ingest([tmp_path / "batch"])
    job = jobs.create(index, index.documents(), tmp_path / "out", "map-reduce", 60)
    index.remove(paths[1])
    finished = jobs.run(index, job.id, _summarizer(index, RecordingGenerator()))
    failed = [it for it in finished.items if it.state == "failed"]
    assert [it.item for it in failed] == [str(paths[1].resolve())]
    assert "no longer in the index" in failed[0].reason
    assert finished.counts["done"] == 3  # two documents and the overview


def test_cli_summarize_needs_a_path_or_a_topic(tmp_path):
    result = CliRunner().invoke(app, ["summarize", "--index", str(tmp_path / "idx")])
    assert result.exit_code == 2
    assert "--focus" in result.output


def test_cli_jobs_resume_of_an_unknown_job_is_a_usage_error(index, embedder, tmp_path, long_markdown):
    index.ingest([long_markdown])
    result = CliRunner().invoke(app, ["jobs", "resume", "nope", "--index", str(index.directory)])
    assert result.exit_code == 2
    assert "no job 'nope'" in result.output
    listed = CliRunner().invoke(app, ["jobs", "list", "--json", "--index", str(index.directory)])
    assert listed.exit_code == 0 and json.loads(listed.output) == []


@pytest.mark.parametrize(
    "question, broad",
    [
        ("What is this report about?", True),
        ("Summarize the budget report", True),
        ("What are the main findings?", True),
        ("How much did the 2019 budget allocate to rural school grants?", False),
        ("Who wrote about the harbour?", False),
    ],
)
def test_broad_questions_are_told_apart(question, broad):
    from docqa.summarize.broad import is_broad

    assert is_broad(question) is broad


@pytest.mark.parametrize("mode", ["map-reduce", "refine", "tree"])
def test_the_summary_keeps_to_its_length_even_from_a_wordy_model(index, embedder, tmp_path, mode):
    one_section = write(tmp_path / "docs" / "notes.md", "# Notes\n\n" + "\n\n".join(paragraph(p) for p in range(14)))
    index.ingest([one_section])
    gen = RecordingGenerator(answer=" ".join(f"Point {i} matters." for i in range(60)))
    summary = _summarizer(index, gen, partial_words=50, state_tokens=120, select=1.0).document(index.documents()[0], mode, 30)
    assert len(gen.requests) >= 3
    assert 0 < len(summary.text.split()) <= 30
