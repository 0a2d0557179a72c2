"""vlmbot-tiny against the OWL-ViT B/32 architecture on the same RGB-D frames (one thread,
interleaved, medians and their ratio from one run). Same numbers as `vlmbot bench --json`.

    python -m benchmarks.bench_tiny [--json] [--frames N]
"""

from __future__ import annotations

import argparse
import json


def main(argv: list[str] | None = None) -> int:
    from vlmbot.eval.tiny_bench import run

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--frames", type=int, default=6)
    args = parser.parse_args(argv)
    result = run(args.frames)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"vlmbot-tiny   median {result['tiny_ms']:8.2f} ms/frame (p90 {result['tiny_p90_ms']})"
        )
        print(f"OWL-ViT B/32  median {result['owlvit_b32_ms']:8.2f} ms/frame")
        print(
            f"ratio         {result['ratio']}x "
            f"({result['input']}, {result['queries']} queries, 1 thread)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
