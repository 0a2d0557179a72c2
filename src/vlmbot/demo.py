"""`make demo`: run an agent on varied instructions and questions in the simulator, print a
summary table and write an HTML report (index.html) a person can open in a browser.

    python -m vlmbot.demo [--out reports/demo] [--agent NAME]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from vlmbot.agents.base import registered_agents
from vlmbot.cli.common import ensure_out_dir
from vlmbot.errors import VlmbotError
from vlmbot.tasks.suite import EpisodeSpec

DEMO_EPISODES = (
    EpisodeSpec("put_in", 3),
    EpisodeSpec("stack", 5),
    EpisodeSpec("place_relative", 2),
    EpisodeSpec("refer_attribute", 4),
    EpisodeSpec("refer_relation", 1),
    EpisodeSpec("refer_affordance", 6),
    EpisodeSpec("multi_step", 7),
    EpisodeSpec("question", 1),
    EpisodeSpec("question", 8),
    EpisodeSpec("clarify_or_refuse", 2),
    EpisodeSpec("clarify_or_refuse", 4),
    EpisodeSpec("put_in", 9, "heldout_wording"),
    EpisodeSpec("refer_attribute", 3, "heldout_colors"),
    EpisodeSpec("put_in", 5, "heldout_categories"),
)


def default_agent() -> str:
    return "vlm" if "vlm" in registered_agents() else "oracle"


def run_demo(out: Path, agent_name: str, episodes: tuple[EpisodeSpec, ...] = DEMO_EPISODES) -> Path:
    import torch

    from vlmbot.agents.base import make_agent
    from vlmbot.eval.harness import run_episode
    from vlmbot.eval.runner import summarize
    from vlmbot.report.html import EpisodeRecording, episode_html, write_report
    from vlmbot.sim.env import TabletopEnv
    from vlmbot.tasks.suite import build_episode

    torch.set_num_threads(1)
    agent = make_agent(agent_name)
    rows = [
        ["#", "family", "split", "instruction", "expected", "outcome", "success", "ms/decision"]
    ]
    sections, results = [], []
    start = time.perf_counter()
    with TabletopEnv() as env:
        for i, spec in enumerate(episodes):
            episode = build_episode(spec)
            print(
                f"[{i + 1:>2}/{len(episodes)}] {spec.task:<18} {episode.instruction}",
                flush=True,
            )
            recording = EpisodeRecording()
            result = run_episode(env, agent, episode, recorder=recording)
            results.append(result)
            sections.append(episode_html(i, result, recording, out))
            rows.append(
                [str(i + 1), result.task, result.split, result.instruction, str(result.expected),
                 result.outcome, "yes" if result.success else "no", f"{result.decision_ms:.1f}"]
            )  # fmt: skip
    summary = summarize(results)
    _print_table(rows)
    print(
        f"\nsuccess {summary['success_rate']:.2f} · unsafe actions {summary['unsafe_actions']} · "
        f"median decision {summary['decision_ms_median']} ms · "
        f"wall {time.perf_counter() - start:.0f} s"
    )
    privileged = (
        " (PRIVILEGED oracle: it reads simulator state; not a perception result)"
        if agent_name == "oracle"
        else ""
    )
    intro = (
        f"Agent <b>{agent_name}</b>{privileged}. {len(results)} episodes from vlmbot's task suite."
    )
    return write_report(out, "vlmbot demo", intro, sections, rows)


def _print_table(rows: list[list[str]]) -> None:
    widths = [min(max(len(r[c]) for r in rows), 48) for c in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell[: widths[c]].ljust(widths[c]) for c, cell in enumerate(row)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", default="reports/demo", help="report folder (default: reports/demo)"
    )
    parser.add_argument("--agent", default=None, help="agent name (default: vlm, else oracle)")
    args = parser.parse_args(argv)
    try:
        out = ensure_out_dir(args.out)
        path = run_demo(out, args.agent or default_agent())
    except VlmbotError as exc:
        print(f"vlmbot demo: error: {exc}", file=sys.stderr)
        return 2
    print(f"report: {path.resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
