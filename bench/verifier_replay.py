"""Replay a `docqa eval --jsonl` run through the verifier at other settings, without the LLM.

    python bench/verifier_replay.py RUN.jsonl ../shared/data/xquad-en/xquad.en.json --index /tmp/ev/xquad \
        --overlap 0 0.3 0.4 0.5 0.6 [--budget 650]

Each answered question's working set is rebuilt (retrieval and attention are deterministic) and its
recorded short answer is checked again with verification.QUESTION_OVERLAP set to each value. A
verified answer is "right" when its short-answer F1 against the gold is above 0, "wrong" otherwise:
the table is the trade-off between wrong answers shown as verified and right ones left unverified.
"""

import argparse
import json
from pathlib import Path

from docqa import verification
from docqa.answer import ask, document_texts
from docqa.eval.squad import token_f1
from docqa.index import Index
from docqa.settings import load_settings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("jsonl", type=Path)
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--overlap", type=float, nargs="+", default=[0.0, 0.3, 0.4, 0.5, 0.6])
    ap.add_argument("--budget", type=int, default=None)
    ap.add_argument("--show", type=int, default=0, help="print the first N answers as checked at the first --overlap")
    args = ap.parse_args()
    rows = [json.loads(line) for line in args.jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["answered"] and r["short_answer"]]
    for r in rows:  # scored again: a run recorded before a metric change (Chinese F1) counts as today's
        r["short_f1"] = token_f1(r["short_answer"], r["answers"])
    settings = load_settings({"index": str(args.index), "answer": {"budget": args.budget} if args.budget else {}})
    counts = {o: [0, 0] for o in args.overlap}  # verified right, verified wrong
    right_total = sum(r["short_f1"] > 0 for r in rows)
    with Index.open(args.index, settings, create=False) as idx:
        generator, doc_text = idx.generator(), document_texts(idx)
        for i, r in enumerate(rows):
            ws = ask(r["question"], idx, generator, settings.answer, generate=False).working_set
            for o in args.overlap:
                verification.QUESTION_OVERLAP = o
                v = verification.check(r["question"], r["short_answer"], ws, doc_text, settings.answer.margin)
                counts[o][0 if r["short_f1"] > 0 else 1] += v.verified
                if i < args.show and o == args.overlap[0]:
                    quote = " ".join(doc_text(v.passage.doc_id)[v.quote[0]:v.quote[1]].split()) if v.quote else ""
                    print(f"{'VERIFIED' if v.verified else 'unverified'} | {r['question']} | {v.short} | gold: "
                          f"{r['answers'][0]} | {v.reason or quote[:160]}")
    print(f"{args.jsonl.name}: {len(rows)} answered, {right_total} right (short F1 > 0)\n")
    print("| question overlap | verified right | verified wrong | right left unverified |\n|---:|---:|---:|---:|")
    for o, (right, wrong) in counts.items():
        print(f"| {o} | {right} | {wrong} | {right_total - right} |")


if __name__ == "__main__":
    main()
