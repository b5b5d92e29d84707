"""A mean-pooled BERT sentence encoder (MiniLM, the default) read without sentence-transformers.

Importing sentence-transformers costs 5-6 s of a cold `docqa ask` on two cores: it pulls
transformers' modeling code, sklearn and scipy. Such a model is six small layers, so its forward
pass is written here in plain torch, its weights read with safetensors and its text cut with the
`tokenizers` library from the same tokenizer.json. tests/unit/test_minilm.py checks that the
vectors, token states, counts and offsets are sentence-transformers' own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import torch

_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"


def _json(path: Path) -> dict | list:
    return json.loads(path.read_text(encoding="utf-8"))


def is_mean_pooled_bert(directory: Path) -> bool:
    """A sentence-transformers directory that `Bert` computes exactly: a BertModel with absolute
    positions and exact GELU, its token states mean-pooled (then normalized, as the embedders
    normalize anyway), weights in safetensors and a fast tokenizer. Anything else (a CLS-pooled or
    Dense-headed model, another architecture) is left to sentence-transformers."""
    try:
        config = _json(directory / "config.json")
        modules = _json(directory / "modules.json")
        kinds = [m["type"] for m in modules]
        pooling = _json(directory / [m["path"] for m in modules if m["type"] == _POOLING][0] / "config.json")
        sbert = _json(directory / "sentence_bert_config.json")
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return False
    pooled_by = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v is True}
    return (
        config.get("model_type") == "bert"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and config.get("hidden_act") == "gelu"
        and kinds in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE])
        and pooled_by == {"pooling_mode_mean_tokens"}
        and not sbert.get("do_lower_case", False)  # sentence-transformers would lowercase the text first
        and (directory / "model.safetensors").is_file()
        and (directory / "tokenizer.json").is_file()
    )


class _Layer(NamedTuple):
    qkv: tuple[torch.Tensor, torch.Tensor]  # query, key and value projections stacked: one matmul
    out: tuple[torch.Tensor, torch.Tensor]
    norm1: tuple[torch.Tensor, torch.Tensor]
    up: tuple[torch.Tensor, torch.Tensor]
    down: tuple[torch.Tensor, torch.Tensor]
    norm2: tuple[torch.Tensor, torch.Tensor]


class Bert:
    """BertModel's last hidden states, and its tokenizer as sentence-transformers calls it."""

    def __init__(self, directory: Path, device: str, dtype: torch.dtype) -> None:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        config = _json(directory / "config.json")
        self.dim = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        positions = int(config["max_position_embeddings"])
        self.max_tokens = min(int(_json(directory / "sentence_bert_config.json").get("max_seq_length", positions)), positions)
        self.device = device

        spec = (directory / "tokenizer.json").read_text(encoding="utf-8")
        # tokenizer.json may carry its own truncation and padding (MiniLM's: 128, fixed): counts and
        # offsets read the whole text; the model reads it cut to max_tokens, [CLS] and [SEP] included,
        # padded to the longest of its batch, as sentence-transformers' tokenizer call does.
        self.plain = Tokenizer.from_str(spec)
        self.plain.no_truncation()
        self.plain.no_padding()
        self._model_input = Tokenizer.from_str(spec)
        self._model_input.enable_truncation(max_length=self.max_tokens)
        pad = int(config.get("pad_token_id", 0))
        self._model_input.enable_padding(pad_id=pad, pad_token=self._model_input.id_to_token(pad))

        # Some exports name the weights of a BertModel "bert.<name>".
        w = {k.removeprefix("bert."): v for k, v in load_file(str(directory / "model.safetensors")).items()}

        def pair(prefix: str) -> tuple[torch.Tensor, torch.Tensor]:
            return tuple(w[f"{prefix}.{p}"].to(device=device, dtype=dtype) for p in ("weight", "bias"))

        self.words = w["embeddings.word_embeddings.weight"].to(device=device, dtype=dtype)
        self.positions = w["embeddings.position_embeddings.weight"].to(device=device, dtype=dtype)
        self.segment = w["embeddings.token_type_embeddings.weight"][0].to(device=device, dtype=dtype)
        self.embed_norm = pair("embeddings.LayerNorm")
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            at = f"encoder.layer.{i}"
            q, k, v = (pair(f"{at}.attention.self.{n}") for n in ("query", "key", "value"))
            self.layers.append(_Layer(
                qkv=(torch.cat([q[0], k[0], v[0]]), torch.cat([q[1], k[1], v[1]])),
                out=pair(f"{at}.attention.output.dense"),
                norm1=pair(f"{at}.attention.output.LayerNorm"),
                up=pair(f"{at}.intermediate.dense"),
                down=pair(f"{at}.output.dense"),
                norm2=pair(f"{at}.output.LayerNorm"),
            ))

    def tokenize(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Token ids and attention mask, (batch, longest) each, on the model's device."""
        import torch

        encs = self._model_input.encode_batch(texts)
        ids = torch.tensor([e.ids for e in encs], device=self.device)
        mask = torch.tensor([e.attention_mask for e in encs], device=self.device)
        return ids, mask

    def __call__(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Last hidden states, (batch, length, dim); rows of padding tokens are zero."""
        import torch.nn.functional as F

        batch, length = ids.shape
        head_dim = self.dim // self.heads
        # The linear layers are 3/4 of the time and read each token alone, so they read the texts'
        # tokens only, not the padding (15-18 % of a re-ranking batch); attention alone needs the
        # texts side by side, padded.
        real = mask.reshape(-1).nonzero().squeeze(1)
        x = self.words[ids.reshape(-1)[real]] + self.positions[real % length] + self.segment
        x = F.layer_norm(x, (self.dim,), *self.embed_norm, self.eps)
        keys = mask.bool()[:, None, None, :]  # every query reads the text's tokens, no padding
        for layer in self.layers:
            qkv = F.linear(x, *layer.qkv)
            padded = qkv.new_zeros(batch * length, 3 * self.dim).index_copy_(0, real, qkv)
            q, k, v = (
                t.view(batch, length, self.heads, head_dim).transpose(1, 2)
                for t in padded.view(batch, length, 3 * self.dim).chunk(3, dim=-1)
            )
            attended = F.scaled_dot_product_attention(q, k, v, attn_mask=keys)
            attended = attended.transpose(1, 2).reshape(batch * length, self.dim)[real]
            x = F.layer_norm(F.linear(attended, *layer.out) + x, (self.dim,), *layer.norm1, self.eps)
            hidden = F.linear(F.gelu(F.linear(x, *layer.up)), *layer.down)
            x = F.layer_norm(hidden + x, (self.dim,), *layer.norm2, self.eps)
        return x.new_zeros(batch * length, self.dim).index_copy_(0, real, x).view(batch, length, self.dim)
