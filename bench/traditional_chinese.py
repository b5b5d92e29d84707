"""Write a SQuAD-format file in traditional Chinese (XQuAD-zh is simplified), to measure docqa on
traditional-script documents and questions (Taiwan, Hong Kong) with the same questions and golds.

    pip install opencc-purepy        # the converter; a benchmark tool, not a docqa dependency
    python bench/traditional_chinese.py ../shared/data/xquad-zh/xquad.zh.json /tmp/xquad.zh-hant.json
    docqa eval /tmp/xquad.zh-hant.json --limit 100 --seed 0 --index /tmp/ix_zh_hant --json --jsonl hant.jsonl

Contexts, questions and answers are converted alike (OpenCC "s2t", character for character), so a
gold answer is still a span of its context and the seeded sample is the same questions.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path, help="SQuAD-format JSON in simplified Chinese")
    ap.add_argument("out", type=Path, help="where to write the traditional-script copy")
    ap.add_argument("--config", default="s2t", help="OpenCC configuration (s2t, s2tw, s2hk)")
    args = ap.parse_args(argv)
    try:
        from opencc_purepy import OpenCC
    except ImportError:
        print("bench/traditional_chinese.py needs opencc-purepy: pip install opencc-purepy", file=sys.stderr)
        return 2
    convert = OpenCC(args.config).convert
    data = json.loads(args.src.read_text(encoding="utf-8"))
    changed = total = 0
    for article in data["data"]:
        article["title"] = convert(article.get("title", ""))
        for paragraph in article["paragraphs"]:
            context = convert(paragraph["context"])
            changed += sum(a != b for a, b in zip(context, paragraph["context"]))
            total += len(context)
            paragraph["context"] = context
            for qa in paragraph["qas"]:
                qa["question"] = convert(qa["question"])
                for answer in qa.get("answers", []):
                    answer["text"] = convert(answer["text"])
    args.out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    print(f"{args.src} -> {args.out} ({args.config}): {changed:,} of {total:,} context characters changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
