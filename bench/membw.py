"""Memory bandwidth and the LLM decode ceiling it implies.

    python bench/membw.py [--gguf PATH] [--measured-tok-s X]

Decoding one token reads every weight once, so tokens/s <= bandwidth / bytes of weights.
Bandwidth is measured as the best of several large array copies (read + write bytes / time),
with numpy, on this machine's cores.
"""

import argparse
import time

import numpy as np


def bandwidth_gb_s(size_mb: int = 1024, repeats: int = 5) -> dict[str, float]:
    """Copy bandwidth single-threaded (numpy) and on all cores (torch's parallel copy)."""
    import torch

    src = np.ones(size_mb * 1024 * 1024 // 8)
    dst = np.empty_like(src)
    tsrc, tdst = torch.from_numpy(src), torch.from_numpy(dst)
    out = {}
    for name, copy in (("1 thread", lambda: np.copyto(dst, src)), (f"{torch.get_num_threads()} threads", lambda: tdst.copy_(tsrc))):
        best = float("inf")
        for _ in range(repeats):
            t = time.perf_counter()
            copy()
            best = min(best, time.perf_counter() - t)
        out[name] = 2 * src.nbytes / best / 1e9  # one read and one write of every byte
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gguf", help="model file (default: the assembled default LLM)")
    ap.add_argument("--measured-tok-s", type=float, help="decode tokens/s measured elsewhere, to compare")
    args = ap.parse_args()
    from pathlib import Path

    if args.gguf:
        weights = Path(args.gguf).stat().st_size
    else:
        from docqa.models.assets import resolve_gguf

        weights = resolve_gguf("qwen2.5-coder-0.5b").stat().st_size
    measured = bandwidth_gb_s()
    for name, value in measured.items():
        print(f"memory bandwidth (copy, {name}): {value:.1f} GB/s")
    bw = max(measured.values())
    ceiling = bw * 1e9 / weights
    print(f"weights: {weights / 1e6:.0f} MB -> decode ceiling {ceiling:.0f} tokens/s")
    if args.measured_tok_s:
        print(f"measured decode {args.measured_tok_s:.1f} tokens/s = {args.measured_tok_s / ceiling:.0%} of the ceiling")


if __name__ == "__main__":
    main()
