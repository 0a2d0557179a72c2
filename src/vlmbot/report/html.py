"""An HTML report of episodes: instruction, annotated images, plan, actions, answer, verdict."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from vlmbot.eval.harness import EpisodeResult, Recorder
from vlmbot.report.annotate import draw_boxes
from vlmbot.types import Decision, Observation


@dataclass
class EpisodeRecording(Recorder):
    """Keeps the first and last observation and every decision of an episode."""

    first: Observation | None = None
    last: Observation | None = None
    decisions: list[Decision] = field(default_factory=list)

    def observation(self, observation: Observation) -> None:
        if self.first is None:
            self.first = observation
        self.last = observation

    def decision(self, decision: Decision) -> None:
        self.decisions.append(decision)


def _save(image: Image.Image | np.ndarray, path: Path) -> str:
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    image.save(path)
    return path.name


def _annotated(observation: Observation, decision: Decision, index: int, out: Path) -> list[str]:
    """One image per camera with the decision's grounded objects drawn on it."""
    names = []
    grounding = decision.info.get("annotations", {})
    for camera, frame in observation.frames.items():
        marks = grounding.get(camera, [])
        image = draw_boxes(frame.rgb, [m["xyxy"] for m in marks], [m["label"] for m in marks])
        names.append(_save(image, out / f"ep{index:02d}_{camera}_grounded.png"))
    return names


def _images(observation: Observation | None, tag: str, index: int, out: Path) -> list[str]:
    if observation is None:
        return []
    return [
        _save(frame.rgb, out / f"ep{index:02d}_{camera}_{tag}.png")
        for camera, frame in observation.frames.items()
    ]


def _row(title: str, value: Any) -> str:
    return f"<tr><th>{html.escape(title)}</th><td>{value}</td></tr>"


def episode_html(index: int, result: EpisodeResult, recording: EpisodeRecording, out: Path) -> str:
    first = recording.decisions[0] if recording.decisions else None
    grounded = _annotated(recording.first, first, index, out) if first and recording.first else []
    before = _images(recording.first, "before", index, out)
    after = _images(recording.last, "after", index, out) if result.steps else []
    verdict = {True: "✅ success", False: "❌ failure", None: "— (no check)"}[result.success]
    plan = first.info.get("plan", []) if first else []
    rows = [
        _row("expected / outcome", f"{result.expected or '—'} / <b>{result.outcome}</b>"),
        _row("verdict", verdict),
        _row("reply", html.escape(result.answer or "")),
        _row("plan", "<br>".join(html.escape(str(p)) for p in plan) or "—"),
        _row("actions", "<br>".join(html.escape(_action_text(a)) for a in result.actions) or "—"),
        _row("execution", "<br>".join(html.escape(m) for m in result.messages) or "—"),
        _row("decision time", f"{result.decision_ms:.1f} ms (median per step)"),
        _row("unsafe actions", str(result.unsafe_actions)),
    ]
    images = "".join(
        f'<figure><img src="{name}"><figcaption>{caption}</figcaption></figure>'
        for names, caption in ((grounded, "grounding"), (before, "before"), (after, "after"))
        for name in names
    )
    return (
        f"<section><h2>{index + 1}. “{html.escape(result.instruction)}”</h2>"
        f'<p class="meta">{result.task} · {result.split} · seed {result.seed}</p>'
        f"<table>{''.join(rows)}</table><div class='images'>{images}</div></section>"
    )


def _pose_text(pose: dict[str, Any]) -> str:
    return "(" + ", ".join(f"{v:.3f}" for v in pose["position"]) + f") yaw {pose['yaw']:.2f}"


def _action_text(action: dict[str, Any]) -> str:
    if action.get("type") == "pick_place":
        pick, place = _pose_text(action["pick"]), _pose_text(action["place"])
        return f"pick {action.get('target') or ''} at {pick} → place at {place}"
    return f"done: {action.get('reason', '')}"


STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
section{border-top:1px solid #ccc;padding:1em 0}
table{border-collapse:collapse;margin:.5em 0}
th{text-align:left;padding:2px 12px 2px 0;color:#555;vertical-align:top}
.images{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0}img{width:300px;image-rendering:pixelated}
figcaption{font-size:12px;color:#666;text-align:center}.meta{color:#777;margin:0}
.summary td,.summary th{padding:2px 10px;border-bottom:1px solid #eee}
"""


def write_report(
    out: Path, title: str, intro: str, sections: list[str], summary_rows: list[list[str]]
) -> Path:
    header = "".join(f"<th>{html.escape(h)}</th>" for h in summary_rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in summary_rows[1:]
    )
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1><p>{intro}</p>"
        f"<table class='summary'><tr>{header}</tr>{body}</table>{''.join(sections)}</body></html>"
    )
    path = out / "index.html"
    path.write_text(page)
    return path
