"""Chinese text, which has no spaces between words: keyword search, sentences, verification, and the
sentence-encoder embedders. English behaves as before (the rest of the suite checks that)."""

import numpy as np
import pytest

from docqa.cjk import CJK_RUN, bigrams, keyword_text, one_line
from docqa.citations import cite
from docqa.memory.backend import open_store
from docqa.memory.store import Store, fts_terms
from docqa.models.sentence_encoders import SentenceEncoder
from docqa.records import Chunk
from docqa.retrieval.sentences import TOKEN, split
from docqa.retrieval.working_set import Passage, WorkingSet
from docqa.verification import check
from tests.unit.test_store import store  # noqa: F401  (the store-contract fixture: SQLite and PostgreSQL)

PANTHERS = "黑豹队的防守只丢了308分，在联赛中排名第六。职业碗防守截锋卡万·肖特以11分领先于全队。"
REVENUE = "公司2023年的营业收入为45.6亿元，同比增长12%。净利润为3.2亿元。"


def _put(store, path: str, texts: list[str]) -> None:
    chunks = [Chunk(i, t, 0, len(t), 1, 1, "", len(t)) for i, t in enumerate(texts)]
    vecs = np.eye(len(texts), 8, dtype=np.float32)
    store.replace_document(path=path, title=path, kind="text", sha256=path, size=1, mtime=0.0, pages=1,
                           text="\n\n".join(texts), chunks=chunks, vectors=vecs)


def test_cjk_runs_are_indexed_as_character_pairs_and_other_text_as_written():
    assert keyword_text("营业收入 rose 12%") == " 营业 业收 收入  rose 12%"
    assert keyword_text("Revenue rose 12%") is None  # stored as NULL: FTS reads the text itself
    assert fts_terms("营业收入是多少？") == ["营业", "业收", "收入", "入是", "是多", "多少"]
    assert fts_terms("What was the revenue?") == ["revenue"]


def test_keyword_search_finds_chinese_words_inside_unspaced_text(store):
    _put(store, "/zh.txt", [PANTHERS, REVENUE])
    _put(store, "/en.txt", ["Revenue for 2023 was 4.56 billion yuan."])
    [(cid, _)] = store.keyword_search("营业收入", 5)[:1]
    assert store.hits([cid])[cid].text == REVENUE
    assert store.hits([store.keyword_search("肖特领先", 5)[0][0]]).popitem()[1].text == PANTHERS
    assert [store.hits([c])[c].path for c, _ in store.keyword_search("revenue billion", 5)] == ["/en.txt"]


_V2 = {  # the keyword index as schema version 2 built it: the text as written, no keywords column
    "sqlite": """
        DROP TRIGGER chunks_ai; DROP TRIGGER chunks_ad; DROP TABLE chunks_fts; DROP VIEW chunks_keywords;
        ALTER TABLE chunks DROP COLUMN keywords;
        CREATE VIRTUAL TABLE chunks_fts USING fts5(text, content='chunks', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2');
        INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild');
        CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
            INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
            INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        UPDATE meta SET value = '2' WHERE key = 'schema_version';
    """,
    "postgresql": """
        ALTER TABLE chunks DROP COLUMN tsv; ALTER TABLE chunks DROP COLUMN keywords;
        ALTER TABLE chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED;
        UPDATE meta SET value = '2' WHERE key = 'schema_version';
    """,
}


def test_a_version_2_store_is_upgraded_in_place_and_then_finds_chinese(backend_settings):
    backend_settings.index.mkdir()
    location = backend_settings.store or backend_settings.index
    store = open_store(location)
    _put(store, "/zh.txt", [PANTHERS, REVENUE])
    if isinstance(store, Store):
        store.conn.executescript(_V2["sqlite"])
    else:
        for statement in _V2["postgresql"].split(";")[:-1]:
            store.db.execute(statement)
    assert store.keyword_search("营业收入", 5) == []  # what users of version 2 got
    store.close()
    store = open_store(location)
    try:
        assert store.get_meta("schema_version") == "4"
        assert len(store.keyword_search("营业收入", 5)) == 1
        _put(store, "/zh.txt", [REVENUE])  # the new triggers remove what the upgrade indexed
        assert len(store.keyword_search("黑豹", 5)) == 0
    finally:
        store.close()


def test_a_version_2_store_two_processes_open_at_once_is_upgraded_once(tmp_path, monkeypatch):
    store = Store(tmp_path)
    _put(store, "/zh.txt", [REVENUE])
    store.conn.executescript(_V2["sqlite"])
    store.close()
    look = Store._stored_version
    stale = []

    def the_other_upgrades_it_after_the_first_look(self):
        version = look(self)
        if not stale:
            stale.append(version)
            Store(tmp_path).close()  # the other process
        return version

    monkeypatch.setattr(Store, "_stored_version", the_other_upgrades_it_after_the_first_look)
    store = Store(tmp_path)  # would run the upgrade again: "duplicate column name: keywords"
    try:
        assert stale == [2] and store.get_meta("schema_version") == "4"
        assert len(store.keyword_search("营业收入", 5)) == 1
    finally:
        store.close()


PANTHERS_TRADITIONAL = "黑豹隊的防守只丟了308分，在聯賽中排名第六。職業碗防守截鋒卡萬·肖特以11分領先於全隊。"


def test_a_question_in_either_chinese_script_finds_a_passage_in_either(store):
    _put(store, "/hk.txt", [PANTHERS_TRADITIONAL])
    _put(store, "/cn.txt", [REVENUE])
    assert [store.hits([c])[c].path for c, _ in store.keyword_search("职业碗", 5)] == ["/hk.txt"]
    assert [store.hits([c])[c].path for c, _ in store.keyword_search("營業收入", 5)] == ["/cn.txt"]


def test_a_version_3_store_is_upgraded_to_keywords_in_one_script(backend_settings):
    backend_settings.index.mkdir()
    location = backend_settings.store or backend_settings.index
    store = open_store(location)
    _put(store, "/hk.txt", [PANTHERS_TRADITIONAL])
    # Version 3 kept each script's own characters.
    as_written = CJK_RUN.sub(lambda m: " " + " ".join(bigrams(m.group())) + " ", PANTHERS_TRADITIONAL)
    if isinstance(store, Store):
        store.conn.executescript("UPDATE meta SET value = '3' WHERE key = 'schema_version';")
        store.conn.execute("UPDATE chunks SET keywords = ?", (as_written,))
        store.conn.executescript("INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild');")
    else:
        store.db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
        store.db.execute("UPDATE chunks SET keywords = %s", (as_written,))
    assert store.keyword_search("职业碗", 5) == []  # what users of version 3 got: no pair is written alike
    store.close()
    store = open_store(location)
    try:
        assert store.get_meta("schema_version") == "4"
        assert len(store.keyword_search("职业碗", 5)) == 1
        assert len(store.keyword_search("職業碗", 5)) == 1
    finally:
        store.close()


def test_chinese_sentences_end_at_full_stops_and_keep_their_closing_quote():
    text = "他说：“收入增长了。”然后离开了。利润是多少？3.2亿元！Revenue rose. It fell."
    assert [text[a:b] for a, b in split(text)] == [
        "他说：“收入增长了。”", "然后离开了。", "利润是多少？", "3.2亿元！", "Revenue rose.", "It fell."]
    assert TOKEN.findall("卡万·肖特以11分") == ["卡", "万", "肖", "特", "以", "11", "分"]


def _check(question: str, raw: str, text: str):
    ws = WorkingSet([Passage(1, "/zh.txt", "", 1, 1, "", 0, len(text), text, [1], [0], 1.0, n=1)], tokens=100, budget=1000)
    return check(question, raw, ws, {1: text}.__getitem__)


def test_a_chinese_answer_is_verified_in_the_sentence_that_holds_it():
    text = PANTHERS + REVENUE
    v = _check("黑豹队的防守丢了多少分？", "308 [1]", text)
    assert v.verified and text[v.quote[0] : v.quote[1]] == "黑豹队的防守只丢了308分，在联赛中排名第六。"
    assert v.short == "308分"  # the unit, and no more: a CJK character is a word of its own
    v = _check("谁以11分领先于全队？", "卡万·肖特 [1]", text)
    assert v.verified and v.short == "卡万·肖特"
    v = _check("公司的净利润是多少？", "3.2亿元 [1]", text)
    assert v.verified and text[v.quote[0] : v.quote[1]] == "净利润为3.2亿元。"


def test_a_line_wrapped_inside_chinese_is_quoted_whole_and_other_breaks_are_spaces():
    # Plain-text Chinese books wrap every line at a fixed width, inside words (Journey to the West,
    # shared/data/public-domain): the quote and the answer join the line again, as the book reads.
    book = "拿出海藏看時，原來兩頭是兩個金箍，中間乃一段烏鐵。緊挨箍有鐫成的一行\n字，喚做：「如意金箍棒」\n\u3000\u3000心中暗喜"
    assert one_line(book) == "拿出海藏看時，原來兩頭是兩個金箍，中間乃一段烏鐵。緊挨箍有鐫成的一行字，喚做：「如意金箍棒」心中暗喜"
    # A quote that starts inside the line is read with the whole line: it is as wide as the page's.
    assert one_line(book, book.index("緊挨"), book.index("」") + 1) == "緊挨箍有鐫成的一行字，喚做：「如意金箍棒」"
    # A short line is an item of its own (a report's "单位：元" above its table): a space keeps it apart.
    assert one_line("2、母公司资产负债表\n单位：元\n项目 期末余额") == "2、母公司资产负债表 单位：元 项目 期末余额"
    assert one_line("Revenue\n  rose. 收入\nrose") == "Revenue rose. 收入 rose"  # beside Latin script, a space
    assert one_line("한국어\n문장") == "한국어 문장"  # Korean sets spaces between its words
    assert one_line("一 二") == "一 二"  # a space the text itself sets stays
    text = "緊挨箍有鐫成的一行字，喚做：「如意金箍棒，重一萬三千\n五百斤。」心中暗喜。"
    v = _check("金箍棒有多重？", "一萬三千五百斤 [1]", text)
    assert v.verified and v.short == "一萬三千五百斤"
    c = cite(Passage(1, "/zh.txt", "", 1, 1, "", 0, len(text), text, [1], [0], 1.0, n=1), {1: text}.__getitem__, True, v.quote)
    assert "一萬三千五百斤" in c.quote and "\n" not in c.quote and " " not in c.quote


def test_a_date_that_runs_on_into_the_questions_words_is_the_date():
    text = "议会起初未经选举，到 1979 年第一次直接选举，此后权力逐渐扩大。"
    v = _check("第一次直接选举是什么时候举行的？", "1979 年第一次直接选举 [1]", text)
    assert v.verified and v.short == "1979 年"  # not "the answer restates the question"
    warsaw = "城中大部分宗教场所在 1944 年华沙起义后被摧毁。"
    # What follows the date says more than the question ("华沙起义后"): the answer stays whole.
    assert _check("大部分宗教场所是什么时候被摧毁的？", "1944 年华沙起义后 [1]", warsaw).short == "1944 年华沙起义后"


def test_a_chinese_answer_from_an_unrelated_sentence_is_not_verified():
    v = _check("黑豹队在联赛中排名第几？", "3.2亿元 [1]", PANTHERS + REVENUE)
    assert not v.verified and "meets the question" in v.reason


def test_a_chinese_answer_that_says_the_question_back_with_a_pronoun_restates_it():
    # XQuAD-zh seeds 53 and 57, verified: "because they are rare as fossils" for why ctenophores are rare as
    # fossils. A pronoun (它们) is no content word: what is left is the question's.
    fossils = "由于栉水母柔软的凝胶状的身体，它们作为化石是极其罕见的，被认为是化石的栉水母只在lagerstätten发现过。"
    v = _check("为什么栉水母作为化石极其罕见？", "因为它们作为化石是极其罕见的 [1]", fossils)
    assert not v.verified and v.reason == "the answer restates the question"
    assert _check("为什么栉水母作为化石极其罕见？", "柔软的凝胶状的身体 [1]", fossils).verified


def test_a_sentence_encoder_reads_sentences_where_minilm_reads_tokens():
    seen: list[str] = []

    def encode(texts):
        seen.extend(texts)
        return np.array([[len(t), 1.0] for t in texts])

    enc = SentenceEncoder("fake", 2, 512, 0.3, encode, lambda texts: np.ones((len(texts), 2)))
    [states] = enc.token_states([PANTHERS])
    spans = enc.state_offsets(PANTHERS)
    assert len(states) == len(spans) == 2 and seen == [PANTHERS[a:b] for a, b in spans]
    assert np.allclose(np.linalg.norm(states, axis=1), 1.0)
    assert enc.query_states("问题").shape == (1, 2)
    assert enc.count_tokens_many(["卡万·肖特以11分", "Revenue rose 12%."]) == [8, 5]


def test_a_chinese_question_is_met_by_its_words_not_by_the_particles_between_them():
    text = "私立学校通过向学生收取学费来获得全部资金。公立学校由州政府资助。"
    v = _check("私立学校是如何获得资金的？", "学费 [1]", text)
    assert v.verified and text[v.quote[0] : v.quote[1]] == "私立学校通过向学生收取学费来获得全部资金。"


def test_a_chinese_answer_is_snapped_with_its_unit_its_percent_sign_and_its_closing_bracket():
    text = "这部剧在20世纪50年代的收视率为90％。它模仿了肥皂剧《达拉斯》，1950年代开播，观众达到1200万人。"
    assert _check("这部剧的收视率是多少？", "90 [1]", text).short == "90％"
    assert _check("这部剧模仿了哪部肥皂剧？", "《达拉斯 [1]", text).short == "《达拉斯》"
    v = _check("这部剧在哪个年代开播，观众达到多少？", "1200 [1]", text)
    assert v.verified and v.short == "1200万人"
    # and with its qualifier: "高达 30%" ("up to 30%") is not "30%", "每5年" ("every 5 years") not "5年"
    text = "沿海地区有高达 30% 的女孩被迫卖淫。每5年举行一次议会选举。"
    assert _check("沿海地区女孩被迫卖淫的比例为？", "30% [1]", text).short == "高达 30%"
    assert _check("议会选举多久举行一次？", "5年 [1]", text).short == "每5年"


def test_an_answer_in_digits_is_snapped_to_the_chinese_numeral_that_says_it():
    # Once abstained as "no passage holds the model's answer (2)" (XQuAD-zh, traditional script).
    text = "南加州有兩個特大都市區，人口都超過500萬。黑豹隊四次進入超級碗。"
    v = _check("南加州有多少個特大都市區？", "2 [1]", text)
    assert v.verified and v.short == "兩個"
    assert _check("黑豹隊幾次進入超級碗？", "4 [1]", text).short == "四次"
    assert not _check("黑豹隊幾次進入超級碗？", "1 [1]", "黑豹隊一直想進入超級碗。").verified, "一 is no count"


def test_an_english_question_over_chinese_evidence_is_verified_by_the_answers_own_words():
    v = _check("How many points did the Panthers' defense give up?", "308 [1]", PANTHERS + REVENUE)
    assert v.verified and v.short == "308分" and v.quote[0] == 0
    assert not _check("What was the net profit?", "45.6亿元 [1]", "净利润为3.2亿元。").verified  # not in the quote
