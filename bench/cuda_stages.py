"""Stage times on a GPU, on the calls real asks and a real summary make (a measurement, never an
asserted test): the re-ranker's token states (MiniLM), the yes/no judge, the short answer (0.5B and
1.5B, transformers bf16: the CUDA backend) and a summary's batched map calls.

Step 1, where the index and the models are (the CPU will do): ask questions of a QA set and
summarize one PDF, writing every generator call (messages, answer room, tokens written), the
candidate texts the re-ranker encodes and the question's CPU vector to a JSONL file:

    python bench/cuda_stages.py record ../shared/data/xquad-en/xquad.en.json --index IX \\
        --limit 20 --summarize ../shared/data/pdfs/reports/dmca.pdf --out calls.jsonl

While recording, the judge is on but its scores are not computed (on 2 cores it would take ~30 s a
question; zero for every passage leaves the candidates in the re-ranker's order), and nothing
escalates: every answer call is the 0.5B's, and step 2 replays it on each model.

Step 2, on the GPU:

    python bench/cuda_stages.py time calls.jsonl --minilm DIR --llm 0.5b=DIR --llm 1.5b=DIR [--random-weights]

Each call is replayed with the answer room set to the tokens the real model wrote, so that decode
lengths match. --random-weights draws each LLM's weights from its dir's config.json (tokenizer files
beside it): the architecture, shapes and so the time are the model's, the text is noise. For a
machine that cannot get the model files (the lent GPU gets 64 MiB of files). MiniLM's dir must hold
real weights: its vectors are compared with the CPU's recorded ones.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path


class Recorder:
    """A generator that passes calls to `inner` and writes each one down (the judge's excepted: see above)."""

    def __init__(self, inner, sink, kind: str) -> None:
        self._inner, self._sink, self.kind = inner, sink, kind

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def _write(self, row: dict) -> None:
        self._sink.write(json.dumps(row, ensure_ascii=False) + "\n")

    def generate(self, messages, max_new_tokens, stop=None, on_token=None, barred=()):
        result = self._inner.generate(messages, max_new_tokens, stop, on_token, barred)
        self._write({"kind": self.kind, "messages": list(messages), "max_new_tokens": max_new_tokens,
                     "prompt_tokens": result.prompt_tokens, "completion_tokens": result.completion_tokens})
        return result

    def generate_batch(self, batch, max_new_tokens, stop=None):
        results = self._inner.generate_batch(batch, max_new_tokens, stop)
        self._write({"kind": f"{self.kind}_batch", "batch": [list(m) for m in batch], "max_new_tokens": max_new_tokens,
                     "prompt_tokens": [r.prompt_tokens for r in results],
                     "completion_tokens": [r.completion_tokens for r in results]})
        return results

    def yes_no_logits(self, batch):
        self._write({"kind": "judge", "batch": [list(m) for m in batch]})
        return [0.0] * len(batch)


def record(args) -> None:
    from docqa.answer import ask
    from docqa.eval.qa import sample
    from docqa.eval.squad import load_squad
    from docqa.index import Index
    from docqa.settings import load_settings

    overrides = {"index": str(args.index), "answer": {"judge": "on", "escalate": "off"}}
    with args.out.open("w", encoding="utf-8") as sink:
        settings = load_settings(overrides)
        with Index.open(args.index, settings, create=False) as idx:
            recorder = Recorder(idx.generator(), sink, "answer")
            for q in sample(load_squad(args.dataset)[1], args.limit, args.seed):
                hits = idx.search(q.question, k=settings.answer.candidates)
                sink.write(json.dumps({"kind": "rerank", "texts": [q.question] + [h.text for h in hits],
                                       "vector": idx.embedder.embed([q.question])[0].tolist()}) + "\n")
                idx.token_cache.clear()
                ask(q.question, idx, recorder, settings.answer)
                sink.flush()
        if args.summarize:
            with tempfile.TemporaryDirectory() as tmp:
                summary = load_settings({"index": tmp})
                with Index.open(tmp, summary) as idx:
                    idx.ingest([args.summarize], wait=True)
                    idx.share_generator(Recorder(idx.generator(), sink, "summary"))
                    idx.summarize(args.summarize)


def _random_model(directory: Path, into: Path) -> Path:
    """A copy of `directory`'s config and tokenizer files with weights drawn at random in bf16."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    into.mkdir(parents=True)
    for f in directory.iterdir():
        if f.is_file() and not f.name.endswith(".safetensors"):
            shutil.copy(f, into / f.name)
    model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(str(directory)), dtype=torch.bfloat16)
    model.save_pretrained(str(into))
    return into


def _quantiles(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):.3f} s · p95 {p95:.3f} s · n {len(ordered)}"


def _timed(fn, device: str):
    import torch

    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    out = fn()
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, out


def time_minilm(rows: list[dict], directory: Path, report: dict) -> None:
    import numpy as np

    from docqa.models.embedder import BertEmbedder
    from docqa.settings import EmbeddingSettings

    emb = BertEmbedder(EmbeddingSettings(), "auto", directory=directory)
    reranks = [r for r in rows if r["kind"] == "rerank"]
    emb.token_states(reranks[0]["texts"])  # warm-up: kernels chosen, memory taken
    seconds, cosines = [], []
    for r in reranks:
        took, _ = _timed(lambda: emb.token_states(r["texts"]), emb.device)
        seconds.append(took)
        cosines.append(float(np.dot(emb.embed([r["texts"][0]])[0], np.asarray(r["vector"], dtype=np.float32))))
    report["minilm"] = {"device": emb.device, "dtype": str(emb.dtype), "texts": len(reranks[0]["texts"]),
                        "token_states": _quantiles(seconds), "min_cosine_with_cpu": min(cosines)}


def time_llm(rows: list[dict], name: str, directory: Path, random_weights: bool, report: dict) -> None:
    from docqa.models.generation.hf import TransformersGenerator
    from docqa.settings import GenerationSettings

    with tempfile.TemporaryDirectory() as tmp:
        if random_weights:
            directory = _random_model(directory, Path(tmp) / "model")
        gen = TransformersGenerator(GenerationSettings(), "auto", directory=directory)
        answers = [r for r in rows if r["kind"] == "answer"]
        gen.generate(answers[0]["messages"], 8)  # warm-up
        total, prefill, written = [], [], []
        for r in answers:
            took, result = _timed(lambda: gen.generate(r["messages"], max(1, r["completion_tokens"])), gen.device)
            total.append(took)
            prefill.append(result.prefill_s)
            written.append(result.completion_tokens)
        judges = [r["batch"] for r in rows if r["kind"] == "judge"]
        judge = [_timed(lambda: gen.yes_no_logits(b), gen.device)[0] for b in judges]
        maps = [r for r in rows if r["kind"] == "summary_batch"]
        batches = [_timed(lambda: gen.generate_batch(r["batch"], max(r["completion_tokens"])), gen.device)[0] for r in maps]
        report[name] = {
            "device": gen.device, "dtype": str(gen.dtype), "random_weights": random_weights,
            "answer": _quantiles(total), "answer_prefill": _quantiles(prefill),
            "answer_prompt_tokens_p50": statistics.median(r["prompt_tokens"] for r in answers),
            "answer_tokens_written_p50": statistics.median(written) if written else 0,
            "judge_batch": _quantiles(judge), "judge_pairs": sum(map(len, judges)),
            "summary_batches": [f"{len(r['batch'])} calls, {max(r['completion_tokens'])} tokens: {s:.2f} s"
                                for r, s in zip(maps, batches)],
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="step", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("dataset", type=Path, help="a SQuAD-format QA set")
    rec.add_argument("--index", type=Path, required=True, help="an index of its contexts (docqa eval --index)")
    rec.add_argument("--limit", type=int, default=20)
    rec.add_argument("--seed", type=int, default=0)
    rec.add_argument("--summarize", type=Path, help="a document whose summary's calls are recorded too")
    rec.add_argument("--out", type=Path, required=True)
    tim = sub.add_parser("time")
    tim.add_argument("calls", type=Path, nargs="+", help="files written by record")
    tim.add_argument("--minilm", type=Path, help="MiniLM's sentence-transformers dir")
    tim.add_argument("--llm", action="append", default=[], help="NAME=DIR, a Hugging Face model dir (repeatable)")
    tim.add_argument("--random-weights", action="store_true")
    tim.add_argument("--json", type=Path, help="also write the report here")
    args = ap.parse_args()
    if args.step == "record":
        record(args)
        return
    rows = [json.loads(line) for path in args.calls for line in path.read_text(encoding="utf-8").splitlines()]
    report: dict = {}
    if args.minilm:
        time_minilm(rows, args.minilm, report)
    for spec in args.llm:
        name, _, directory = spec.partition("=")
        time_llm(rows, name, Path(directory), args.random_weights, report)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
