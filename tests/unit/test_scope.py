"""Scoping a question to some documents: --in (file, folder, glob) and --type.

The scope is resolved to document ids before retrieval, and each retriever restricts its own query,
so the top k is filled from the documents in scope (on both stores)."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from docqa.errors import UsageError
from docqa.memory.vectors import VectorIndex
from docqa.retrieval import hybrid, scope
from docqa.settings import VectorSettings
from tests.conftest import write


@dataclass
class Doc:
    id: int
    path: str
    kind: str


DOCS = [
    Doc(1, "/home/u/reports/2019/budget.pdf", "pdf"),
    Doc(2, "/home/u/reports/2020/budget.pdf", "pdf"),
    Doc(3, "/home/u/notes/ferry.md", "markdown"),
    Doc(4, "/home/u/notes/tides.txt", "text"),
]
HOME = Path("/home/u")


@pytest.mark.parametrize("within, types, expected", [
    ([], [], None),                                    # no scope: every document
    (["reports"], [], [1, 2]),                         # a folder, relative to the working directory
    (["/home/u/notes/ferry.md"], [], [3]),             # one file
    (["reports/2019/"], [], [1]),                      # a sub-folder, trailing slash
    (["*2020*"], [], [2]),                             # a glob over the path ("*" crosses folders)
    (["*.md", "*.txt"], [], [3, 4]),                   # repeated --in: any of them
    (["notes/*.txt"], [], [4]),                        # a glob relative to the working directory
    ([], ["md"], [3]),                                 # --type by extension
    ([], [".TXT", "pdf"], [1, 2, 4]),                  # dots and case do not matter
    ([], ["markdown"], [3]),                           # or by kind name
    (["notes"], ["txt"], [4]),                         # --in and --type together: both must hold
])
def test_in_and_type_select_documents(within, types, expected):
    assert scope.resolve(DOCS, within, types, cwd=HOME) == expected


def test_a_folder_is_matched_whole_not_as_a_name_prefix():
    assert scope.resolve(DOCS + [Doc(5, "/home/u/notes-old/x.txt", "text")], ["notes"], [], cwd=HOME) == [3, 4]


def test_a_scope_matching_nothing_is_a_usage_error_that_names_it():
    with pytest.raises(UsageError, match=r"no indexed document matches --in elsewhere --type pdf"):
        scope.resolve(DOCS, ["elsewhere"], ["pdf"], cwd=HOME)


def test_an_unknown_type_lists_the_known_ones():
    with pytest.raises(UsageError, match=r"--type exe: not a document type .*pdf"):
        scope.resolve(DOCS, [], ["exe"], cwd=HOME)


@pytest.fixture
def corpus(tmp_path):
    """Ten notes about ferries (the best matches) and three reports, each a little about ferries."""
    for i in range(10):
        write(tmp_path / "notes" / f"n{i}.txt", f"Ferry timetable {i}: the ferry to the island leaves at {i} o'clock.")
    for i in range(3):
        write(tmp_path / "reports" / f"r{i}.md", f"# Report {i}\n\nThe council budget also paid for ferry repairs in year {2010 + i}.")
    return tmp_path


@pytest.mark.parametrize("exact_max", [hybrid.EXACT_MAX, 0], ids=["exact", "index-filter"])
def test_a_scoped_search_fills_the_top_k_from_the_scope(index, corpus, monkeypatch, exact_max):
    """The notes would take every place of an unscoped top 3; scoped to reports, all three reports
    come back, whether the scope is scored exactly or by the vector index's own filter."""
    monkeypatch.setattr(hybrid, "EXACT_MAX", exact_max)
    index.ingest([corpus])
    assert {Path(h.path).parent.name for h in index.search("ferry timetable", k=3)} == {"notes"}
    index.settings.retrieval.within = [str(corpus / "reports")]
    hits = index.search("ferry timetable", k=3)
    assert sorted(Path(h.path).name for h in hits) == ["r0.md", "r1.md", "r2.md"]
    index.settings.retrieval.within, index.settings.retrieval.types = [], ["md"]
    assert {Path(h.path).suffix for h in index.search("ferry", k=5, mode="keyword")} == {".md"}


def test_summarize_focus_paths_narrow_the_configured_scope(index, corpus):
    index.ingest([corpus])
    index.settings.retrieval.types = ["md"]
    reports = {d.id for d in index.documents() if d.path.endswith(".md")}
    assert set(index.scope()) == reports
    assert set(index.scope([corpus / "reports" / "r1.md"])) == {d.id for d in index.documents() if d.path.endswith("r1.md")}
    with pytest.raises(UsageError, match="no indexed document in scope"):
        index.scope([corpus / "notes"])


def test_a_scoped_question_the_scope_cannot_answer_says_which_documents_were_read(index, corpus):
    from docqa.answer import ask
    from tests.unit.fakes import FakeGenerator

    index.ingest([corpus])
    index.settings.retrieval.types = ["md"]
    answer = ask("Who painted the lighthouse keeper's portrait?", index, FakeGenerator(), index.settings.answer)
    assert not answer.answered
    assert answer.text == "The documents in scope (type md) don't answer this."
    assert answer.abstain_reason.startswith("nothing in scope (type md) answers: evidence too weak")


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_faiss_search_within_returns_only_the_given_ids(kind):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vi = VectorIndex(16, settings=VectorSettings(kind=kind))
    vi.add(list(range(300)), vectors)
    allowed = list(range(0, 300, 3))
    found = vi.search_within(vectors[1], 10, allowed)
    assert len(found) == 10 and all(cid % 3 == 0 for cid, _ in found)
    exact = sorted(allowed, key=lambda i: -float(vectors[i] @ vectors[1]))[:10]
    assert [cid for cid, _ in found][:5] == exact[:5]
