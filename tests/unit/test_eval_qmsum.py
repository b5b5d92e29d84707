"""docqa eval-summaries: without the `eval` extra, one line naming it and exit 2 before any work; with
it, meetings scored one at a time, every summary kept as it is scored and a stopped run resumed (a fake
LLM: orchestration only)."""

import json
import sys

import pytest
from typer.testing import CliRunner

from docqa.cli import app
from docqa.errors import MissingExtra, UsageError
from docqa.eval import qmsum
from tests.unit.fakes import FakeGenerator


@pytest.fixture
def no_rouge(monkeypatch):
    # A None entry in sys.modules makes `import rouge_score` raise ImportError, as if not installed.
    for name in [m for m in sys.modules if m == "rouge_score" or m.startswith("rouge_score.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "rouge_score", None)


def test_rouge_without_the_extra_names_it(no_rouge):
    with pytest.raises(MissingExtra, match=r"pip install 'docqa\[eval\]'"):
        qmsum.rouge("a summary", "a reference")


def test_rouge_scores_a_focus_summary_without_its_citation_marks():
    reference = "The team agreed the harbour plan."
    assert qmsum.rouge("The team agreed the harbour plan [1] [2, 3].", reference) == qmsum.rouge(
        "The team agreed the harbour plan.", reference)
    assert qmsum.rouge("The team agreed the harbour plan.", reference)["rougeL"] == 1.0


def test_eval_summaries_without_the_extra_is_one_line_and_exit_2(no_rouge, tmp_path):
    data = tmp_path / "qmsum.jsonl"
    data.write_text("{}\n", encoding="utf-8")  # never read: the missing extra is reported first
    r = CliRunner().invoke(app, ["eval-summaries", str(data), "--index", str(tmp_path / "idx")])
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1, r.output
    assert "pip install 'docqa[eval]'" in lines[0]
    assert not (tmp_path / "idx" / "qmsum_meetings").exists()


def _meeting(topic: str) -> dict:
    turns = [{"speaker": f"Speaker {i % 2}", "content": f"We talked about the {topic} plan, item {i}, and agreed on it."}
             for i in range(12)]
    return {"meeting_transcripts": turns,
            "general_query_list": [{"query": "Summarize the whole meeting.", "answer": f"They agreed the {topic} plan."}],
            "specific_query_list": [{"query": f"What was said about the {topic} plan?", "answer": f"The {topic} plan was agreed."},
                                    {"query": f"What did they decide on {topic} item 3?", "answer": "They agreed on it."}]}


@pytest.fixture
def three_meetings(tmp_path):
    data = tmp_path / "qmsum.jsonl"
    data.write_text("".join(json.dumps(_meeting(t)) + "\n" for t in ("harbour", "orchard", "railway")), encoding="utf-8")
    return data


def test_a_meeting_is_scored_whole_before_the_next_and_each_summary_is_kept_as_it_goes(index, embedder, three_meetings, tmp_path):
    index._generator = FakeGenerator("They agreed on the plan [1].")
    sink = tmp_path / "scores.jsonl"
    seen = []

    def stop_after_four(item):
        seen.append(item)
        if len(seen) == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        qmsum.evaluate(index, three_meetings, meetings=0, specific=4, modes=("tree",), general_words=20,
                       specific_words=10, on_result=stop_after_four, jsonl=sink)
    kept = [json.loads(line) for line in sink.read_text(encoding="utf-8").splitlines()]
    assert [k["query"] for k in kept] == [s.query for s in seen]  # nothing scored is lost to the stop
    # meetings come one at a time: a meeting's general query, then its sampled specific ones
    order = [k["meeting"] for k in kept]
    assert order == sorted(order, key=order.index) and len(set(order)) >= 2
    for name in set(order):
        kinds = [k["kind"] for k in kept if k["meeting"] == name]
        assert kinds[0] == "general" and set(kinds[1:]) <= {"specific"}
    assert all(0 <= k["scores"]["rougeL"] <= 1 for k in kept)

    # a second sitting: a line the stop cut short is made again, nothing whole is redone
    with sink.open("a", encoding="utf-8") as f:
        f.write('{"meeting": "meeting_0')
    again = []
    results = qmsum.evaluate(index, three_meetings, meetings=0, specific=4, modes=("tree",), general_words=20,
                             specific_words=10, on_result=again.append, jsonl=sink, resume=True)
    assert len(again) == 3 and not {s.query for s in seen} & {a.query for a in again if a.kind == "specific"}
    assert len(results) == 7  # 3 general + 4 specific: the whole sample, once each
    lines = sink.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 7 and all(json.loads(line) for line in lines)


def test_resuming_needs_the_file_of_the_run(index, three_meetings, tmp_path):
    with pytest.raises(UsageError, match="--jsonl"):
        qmsum.evaluate(index, three_meetings, resume=True)
    # another run's file (other word targets) is refused, not mixed in or overwritten
    other = tmp_path / "other.jsonl"
    line = json.dumps({"meeting": "meeting_000", "kind": "general", "mode": "tree", "query": "Summarize the whole meeting.",
                       "reference": "r", "summary": "s", "seconds": 1.0, "cold_seconds": 1.0, "max_request_tokens": 9,
                       "budget": 9, "words": 300, "scores": {"rougeL": 0.1}})
    other.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(UsageError, match="not of this sample or setting"):
        qmsum.evaluate(index, three_meetings, meetings=0, specific=4, modes=("tree",), jsonl=other, resume=True)
    assert other.read_text(encoding="utf-8") == line + "\n"


def test_modes_none_scores_only_the_specific_topics(three_meetings, tmp_path, monkeypatch):
    asked = {}

    def evaluate(index, path, meetings, specific, modes, *rest, **options):
        asked.update(specific=specific, modes=modes)
        return []

    monkeypatch.setattr(qmsum, "evaluate", evaluate)
    r = CliRunner().invoke(app, ["eval-summaries", str(three_meetings), "--modes", "none", "--specific", "2",
                                 "--index", str(tmp_path / "idx"), "--json"])
    assert r.exit_code == 0, r.output
    assert asked["modes"] == () and asked["specific"] == 2
    bad = CliRunner().invoke(app, ["eval-summaries", str(three_meetings), "--modes", "", "--index", str(tmp_path / "idx")])
    assert bad.exit_code == 2 and "or none" in bad.output
