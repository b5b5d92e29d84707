"""The 0.5B as shipped (Q5_0 matrices) against the file docqa runs (the same matrices as Q8_0).

    python bench/gguf_recode.py [--tokens 400,1500] [--rounds 3] [--text FILE]

Assembles the shipped file from its packages into a temp dir, recodes it (docqa.models.gguf_recode),
then times llama.cpp prompt processing and decoding on both, interleaved round by round so that a
change of load hits both alike. Prints each file's median prompt and decode tokens/s per prompt
size, and whether the two files gave the same completions (they should: the weights are equal).
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

DEFAULT_TEXT = Path(__file__).resolve().parent.parent / "sample_docs"


def _words(path: Path) -> list[str]:
    files = sorted(path.rglob("*.txt")) + sorted(path.rglob("*.md")) if path.is_dir() else [path]
    return " ".join(f.read_text(encoding="utf-8", errors="replace") for f in files).split()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", default="400,1500", help="prompt sizes, roughly, in tokens")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--text", type=Path, default=DEFAULT_TEXT, help="a text file or folder to cut prompts from")
    ap.add_argument("--threads", type=int, default=0, help="0 = all cores")
    args = ap.parse_args()

    import xllamacpp

    from docqa.models import assets, gguf_recode
    from docqa.models.device import cpu_count
    from docqa.models.generation.llamacpp import llamacpp_params

    spec = assets.spec_for("qwen2.5-coder-0.5b")
    words = _words(args.text)
    sizes = [int(n) for n in args.tokens.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        shipped, recoded = Path(tmp) / "shipped.gguf", Path(tmp) / "recoded.gguf"
        assets._assemble(spec, shipped, None)
        started = time.perf_counter()
        with recoded.open("wb") as out:
            gguf_recode.recode(shipped, out)
        print(f"recoding took {time.perf_counter() - started:.1f} s")
        servers = {
            name: xllamacpp.Server(llamacpp_params(path, 4096, args.threads or cpu_count()))
            for name, path in (("shipped Q5_0", shipped), ("recoded Q8_0", recoded))
        }
        speeds = {(name, n): ([], []) for name in servers for n in sizes}
        replies: dict[str, list[str]] = {name: [] for name in servers}
        for r in range(args.rounds):
            for n in sizes:
                start = (r * 997) % max(1, len(words) - n)
                prompt = " ".join(words[start:start + int(n * 0.75)]) + "\n\nSummarize this in one sentence."
                for name, server in servers.items():
                    reply = server.handle_chat_completions({
                        "messages": [{"role": "user", "content": prompt}], "max_tokens": 48,
                        "temperature": 0.0, "top_k": 1, "seed": 0, "cache_prompt": False,
                    })
                    timings = reply["timings"]
                    speeds[name, n][0].append(timings["prompt_per_second"])
                    speeds[name, n][1].append(timings["predicted_per_second"])
                    replies[name].append(reply["choices"][0]["message"]["content"])
        for n in sizes:
            for name in servers:
                prompt_s, decode_s = speeds[name, n]
                print(f"~{n} tokens  {name}: prompt {statistics.median(prompt_s):6.1f} tok/s, "
                      f"decode {statistics.median(decode_s):5.1f} tok/s")
        same = sum(a == b for a, b in zip(*replies.values()))
        print(f"same completions: {same} of {len(replies['shipped Q5_0'])}")


if __name__ == "__main__":
    main()
