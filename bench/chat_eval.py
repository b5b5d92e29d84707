"""Chat memory on COVID-QA: do follow-ups that say "it" / "this virus" find their evidence?

Builds a follow-up set BY SCRIPT: for each article, its main entity is the entity-like phrase
(an acronym, a name with digits or hyphens, or "... virus") that the most of its questions
mention. Two questions mentioning it form a pair; in the second the entity is replaced by a
pointing phrase ("this virus", "this disease", or "it"). The follow-up is then asked

  (a) alone, with plain `ask`;
  (b) in a chat session, after the first question (rewriting on);
  (c) the same, with follow-up rewriting off (evidence memory only);

and scored with docqa.eval.qa.score (working-set hit, F1, ...). The original, un-rephrased
question is scored for the working-set hit only (no LLM), as a ceiling.

Then a scripted 30-turn session: memory size per turn against its capacity.

    python bench/chat_eval.py --index /tmp/chat_cq_index --limit 20 --turns 30 --out /tmp/chat_eval.json
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

from docqa.answer import ask
from docqa.chat import ChatMemory, ChatSession, sessions
from docqa.eval.squad import Question, load_squad, write_contexts
from docqa.index import Index
from docqa.eval.qa import score
from docqa.settings import load_settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "covidqa" / "covidqa.json"
# Entity-like: two capitals (MERS-CoV, HIV-1, IFITM3), a digit next to letters, or "<word> virus".
_ENTITY = re.compile(
    r"\b(?:[A-Za-z]*[A-Z][A-Za-z]*[A-Z0-9][\w-]*|[a-z]+ ?(?:corona)?virus(?:es)?|COVID-19|[A-Z][a-z]+-\d+)\b"
)
_VIRUS = re.compile(r"virus|CoV|HIV|SARS|MERS|influenza|RSV|Ebola|Zika|HCoV|H\dN\d|dengue", re.IGNORECASE)
# Words after which an entity can be replaced ("of it", "does it"), and nouns it may modify
# ("the NTCP protein" -> "this protein").
_BEFORE_OK = r"(?:the|a|an|of|in|for|by|to|on|with|about|does|do|did|is|are|was|were|and|from|against|between|what|how|why|when|where|which|has|have|can|cause|causes|caused)\b"
_NOUN = r"gene|genes|protein|proteins|assay|infection|infections|virus|genome|vaccine|outbreak|strain|strains|cells|patients|cases|study|test|tests"
_DISEASE = re.compile(r"COVID|disease|fever|syndrome|infection|pneumonia", re.IGNORECASE)


def main_entity(questions: list[Question]) -> str | None:
    counts = Counter(e for q in questions for e in set(_ENTITY.findall(q.question)))
    best = [e for e, n in counts.most_common() if n >= 2]
    return best[0] if best else None


def pointer(entity: str) -> str:
    if _VIRUS.search(entity):
        return "this virus"
    if _DISEASE.search(entity):
        return "this disease"
    return "it"


def follow_up_pairs(questions: list[Question], seed: int) -> list[dict]:
    """One (first, follow-up) pair per article whose questions share a main entity."""
    by_article: dict[int, list[Question]] = {}
    for q in questions:
        if q.answers:
            by_article.setdefault(q.context_id, []).append(q)
    rng = random.Random(seed)
    pairs = []
    for cid, qs in sorted(by_article.items()):
        entity = main_entity(qs)
        if entity is None:
            continue
        with_entity = [q for q in qs if re.search(rf"\b{re.escape(entity)}\b", q.question)]
        # "the revised WHO definition": an entity after an adjective can't become a pronoun.
        followable = [q for q in with_entity if not re.search(rf"\b(?!{_BEFORE_OK})[a-z]+ {re.escape(entity)}\b", q.question)]
        if len(with_entity) < 2 or not followable:
            continue
        second = rng.choice(followable)
        first = rng.choice([q for q in with_entity if q is not second])
        phrase = pointer(entity)
        rephrased = re.sub(rf"\b(?:the |a |an )?{re.escape(entity)}(?![\w-])(?: ({_NOUN})\b)?",
                           lambda m: f"this {m.group(1)}" if m.group(1) else phrase, second.question.strip(), count=1)
        if rephrased == second.question.strip():
            continue
        pairs.append({"context_id": cid, "entity": entity, "pointer": phrase, "first": first,
                      "follow_up": Question(second.id, rephrased, cid, second.answers), "original": second})
    return pairs


def open_index(path: Path, settings) -> Index:
    """The COVID-QA contexts as an index; an index already holding them (by file name) is reused."""
    contexts, _, _ = load_squad(DATA)
    idx = Index.open(path, settings)
    have = {Path(d.path).name for d in idx.documents()}
    if not {f"{c.name}.txt" for c in contexts} <= have:
        folder = path / "eval-contexts" / DATA.stem
        write_contexts(contexts, folder)
        idx.ingest([folder])
    return idx


def summarize(rows: list) -> dict:
    n = len(rows) or 1
    return {"n": len(rows), "ws_hit": sum(r.ws_hit for r in rows) / n, "f1": sum(r.f1 for r in rows) / n,
            "contains_gold": sum(r.contains_gold for r in rows) / n, "answered": sum(r.answered for r in rows) / n}


def run_pairs(idx: Index, pairs: list[dict]) -> dict:
    gen = idx.generator()
    s = idx.settings
    alone, chat_rw, chat_norw, ceiling, log = [], [], [], [], []
    for i, p in enumerate(pairs):
        t = time.perf_counter()
        a = ask(p["follow_up"].question, idx, gen, s.answer, s.generation.max_new_tokens)
        alone.append(score(p["follow_up"], a, time.perf_counter() - t))
        orig = ask(p["original"].question, idx, gen, s.answer, s.generation.max_new_tokens, generate=False)
        ceiling.append(score(p["original"], orig, 0.0))

        name = f"eval-pair-{i}"
        session = ChatSession(idx, name, ChatMemory())
        session.ask(p["first"].question)
        after_first = session.memory.to_dict()
        row = {"entity": p["entity"], "first": p["first"].question, "follow_up": p["follow_up"].question}
        for rewrite, bucket, key in ((True, chat_rw, "b"), (False, chat_norw, "c")):
            idx.settings.chat.rewrite = rewrite
            session.memory = ChatMemory.from_dict(after_first)
            t = time.perf_counter()
            turn = session.ask(p["follow_up"].question)
            bucket.append(score(p["follow_up"], turn.answer, time.perf_counter() - t))
            row[key] = {"rewritten": turn.rewritten, "method": turn.rewrite_method,
                        "ws_hit": bucket[-1].ws_hit, "f1": round(bucket[-1].f1, 3), "seconds": round(bucket[-1].end_to_end_s, 1)}
        idx.settings.chat.rewrite = True
        sessions.delete(idx.store, name)
        row["a"] = {"ws_hit": alone[-1].ws_hit, "f1": round(alone[-1].f1, 3)}
        log.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return {"a_alone": summarize(alone), "b_chat": summarize(chat_rw), "c_chat_no_rewrite": summarize(chat_norw),
            "ceiling_original_ws_hit": summarize(ceiling)["ws_hit"], "pairs": log}


def run_session(idx: Index, questions: list[Question], turns: int, seed: int) -> list[dict]:
    """A scripted conversation: five questions per article, articles in a seeded order."""
    by_article: dict[int, list[Question]] = {}
    for q in questions:
        if q.answers:
            by_article.setdefault(q.context_id, []).append(q)
    articles = [c for c, qs in by_article.items() if len(qs) >= 5]
    random.Random(seed).shuffle(articles)
    script = [q for c in articles for q in by_article[c][:5]][:turns]
    session = ChatSession(idx, "eval-30-turns", ChatMemory())
    chat = idx.settings.chat
    rows = []
    for q in script:
        t = time.perf_counter()
        turn = session.ask(q.question)
        m = session.memory
        rows.append({
            "turn": m.turn, "seconds": round(time.perf_counter() - t, 1), "rewrite": turn.rewrite_method,
            "passages": len(m.evidence), "evidence_tokens": m.evidence_tokens, "capacity": chat.capacity_tokens,
            "history_tokens": m.history_tokens, "history_limit": chat.history_tokens, "summary_tokens": m.summary_tokens,
            "forgotten": len(turn.forgotten), "request_tokens": turn.tokens.get("answer_request", 0),
            "context": turn.tokens["context"], "answered": turn.answer.answered,
        })
        r = rows[-1]
        assert r["evidence_tokens"] <= r["capacity"] and r["request_tokens"] <= r["context"], r
        print(json.dumps(r), file=sys.stderr, flush=True)
    sessions.delete(idx.store, session.name)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=Path("/tmp/chat_cq_index"))
    ap.add_argument("--limit", type=int, default=20, help="follow-up pairs (seeded sample)")
    ap.add_argument("--turns", type=int, default=30, help="length of the scripted session (0 = skip)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    settings = load_settings({"index": str(args.index)})
    _, questions, _ = load_squad(DATA)
    pairs = follow_up_pairs(questions, args.seed)
    chosen = random.Random(args.seed).sample(pairs, min(args.limit, len(pairs)))
    print(f"{len(pairs)} follow-up pairs generated; asking {len(chosen)}", file=sys.stderr)
    with open_index(args.index, settings) as idx:
        report = {"pairs_available": len(pairs), "settings": idx.settings.chat.model_dump()}
        report |= run_pairs(idx, chosen) if chosen else {}
        report["session"] = run_session(idx, questions, args.turns, args.seed) if args.turns else []
    text = json.dumps(report, indent=2, ensure_ascii=False, default=str)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k not in ("pairs", "session")}, indent=2))


if __name__ == "__main__":
    main()
