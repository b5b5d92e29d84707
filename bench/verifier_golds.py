"""Every gold answer of SQuAD-format sets checked by the verifier in its own paragraph, without the LLM.

    python bench/verifier_golds.py ../shared/data/xquad-en/xquad.en.json ../shared/data/covidqa/covidqa.json \
        --out golds.json [--compare golds_before.json]

A rule that refuses a wrong answer must not refuse the right ones: each gold, given as the model's reply
("<gold> [1]") with its paragraph as the one passage, should pass. The figure is the verifier's recall on
right answers copied from the evidence (an upper bound: a paraphrase is not checked), and --compare lists
every gold whose verdict or shown answer a change moved. About a minute for the three shared sets on 2 cores.
"""

import argparse
import collections
import json
import re
from pathlib import Path

from docqa.retrieval.working_set import Passage, WorkingSet
from docqa.verification import check

MAX_CONTEXT = 60_000  # characters: a longer paragraph is skipped (COVID-QA's longest papers, 56 of its questions)


def verdicts(path: Path) -> dict[str, list]:
    """question id -> [verified, shown answer, reason] for the first gold of each question."""
    out: dict[str, list] = {}
    for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
        for paragraph in article["paragraphs"]:
            text = paragraph["context"]
            if len(text) > MAX_CONTEXT:
                continue
            ws = WorkingSet([Passage(1, "/gold.txt", "", 1, 1, "", 0, len(text), text, [1], [0], 1.0, n=1)], 0, 0)
            for qa in paragraph["qas"]:
                gold = qa["answers"][0]["text"].strip()
                v = check(qa["question"], f"{gold} [1]", ws, lambda _doc: text)
                out[f"{path.stem}:{qa['id']}"] = [v.verified, v.short, v.reason]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("datasets", type=Path, nargs="+")
    ap.add_argument("--out", type=Path, help="write every verdict here (JSON), for a later --compare")
    ap.add_argument("--compare", type=Path, help="an earlier --out: list the golds whose verdict or answer changed")
    args = ap.parse_args()
    results: dict[str, list] = {}
    for path in args.datasets:
        found = verdicts(path)
        results |= found
        reasons = collections.Counter(re.sub(r"[:('].*", "", v[2]).strip() for v in found.values() if not v[0])
        print(f"{path.name}: {sum(v[0] for v in found.values())} of {len(found)} golds verified; "
              f"refused for: {dict(reasons.most_common(4))}")
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        for key, now in results.items():
            if key in before and before[key][:2] != now[:2]:
                print(f"{key}: {before[key][:2]} -> {now[:2]} {now[2]}")


if __name__ == "__main__":
    main()
