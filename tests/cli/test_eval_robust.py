"""`vlmbot eval` and `sim render` under stress: streaming and resuming, an interrupt that still
prints what finished, workers that die with their parent, a model that fails inside workers,
a full disk while rendering, a terminal that only takes UTF-8."""

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from vlmbot.cli.main import main

pytestmark = pytest.mark.sim
EPISODES = '{"task": "question", "seed": 1}\n{"task": "clarify_or_refuse", "seed": 2}\n'


def _env() -> dict[str, str]:
    src = str(Path(__file__).parents[2] / "src")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}


def _eval(tmp_path, *extra):
    episodes = tmp_path / "eps.jsonl"
    episodes.write_text(EPISODES)
    argv = ["eval", "--agent", "oracle", "--episodes-file", str(episodes), "--workers", "1"]
    return main([*argv, *extra])


def test_jsonl_streams_and_resume_skips_finished(tmp_path, capsys):
    stream = tmp_path / "run.jsonl"
    assert _eval(tmp_path, "--jsonl", str(stream), "--json") == 0
    first = json.loads(capsys.readouterr().out)
    lines = [json.loads(line) for line in stream.read_text().splitlines()]
    assert len(lines) == 2 and all("key" in line for line in lines)
    # A torn last line (an interrupt mid-write) and a resume: nothing runs again.
    stream.write_text(stream.read_text() + '{"key": "tasks|qu')
    assert _eval(tmp_path, "--resume", str(stream), "--json") == 0
    captured = capsys.readouterr()
    assert "running 0 episodes" in captured.err and "2 already done" in captured.err
    again = json.loads(captured.out)
    assert again["summary"]["episodes"] == 2
    assert [e["seed"] for e in again["episodes"]] == [e["seed"] for e in first["episodes"]]


def test_resume_runs_only_what_is_missing_and_keeps_the_order(tmp_path, capsys):
    stream = tmp_path / "run.jsonl"
    assert _eval(tmp_path, "--jsonl", str(stream), "--json") == 0
    first = json.loads(capsys.readouterr().out)["episodes"]
    stream.write_text(stream.read_text().splitlines()[1] + "\n")  # only the second is done
    assert _eval(tmp_path, "--resume", str(stream), "--json") == 0
    captured = capsys.readouterr()
    assert "running 1 episodes" in captured.err
    again = json.loads(captured.out)["episodes"]
    timeless = [{k: v for k, v in e.items() if k != "decision_ms"} for e in (*first, *again)]
    assert timeless[:2] == timeless[2:]
    assert len(stream.read_text().splitlines()) == 2


def test_an_interrupt_still_prints_the_finished_episodes(tmp_path, capsys, monkeypatch):
    import vlmbot.eval.runner as runner

    real = runner.print_progress
    calls = []

    def interrupt_after_first(done, total, result):
        real(done, total, result)
        calls.append(done)
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "print_progress", interrupt_after_first)
    assert _eval(tmp_path, "--json") == 130
    out = json.loads(capsys.readouterr().out)
    assert out["interrupted"] is True and len(out["episodes"]) == 1 and calls == [1]


def test_sim_render_leaves_no_partial_set_on_a_full_disk(tmp_path, capsys, monkeypatch):
    out = tmp_path / "render"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    real_save = np.save
    saved = []

    def full_disk(path, array, *args, **kwargs):
        if saved:
            raise OSError(errno.ENOSPC, "No space left on device")
        saved.append(path)
        real_save(path, array, *args, **kwargs)

    monkeypatch.setattr(np, "save", full_disk)
    assert main(["sim", "render", "--seed", "3", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left" in err[0]
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_a_model_that_fails_in_the_workers_is_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "vlmbot.cli.main", "eval", "--episodes", "2", "--workers", "2",
         "--model", f"tiny:{tmp_path}/missing.safetensors"],
        capture_output=True, text=True, env=_env(), timeout=300, cwd=tmp_path,
    )  # fmt: skip
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr[-2000:]
    assert lines[-1].startswith("vlmbot: error:") and "Traceback" not in result.stderr


def test_a_non_utf8_instruction_on_a_strict_utf8_terminal(tmp_path):
    env = {**_env(), "PYTHONIOENCODING": "utf-8:strict"}
    result = subprocess.run(
        [sys.executable, "-m", "vlmbot.cli.main", "run", "--seed", "1", "--instruction",
         b"put the \xff block away"],
        capture_output=True, env=env, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.decode().strip().splitlines() == [
        "vlmbot: error: --instruction is not valid UTF-8 text"
    ]


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find worker processes")
@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_workers_die_with_their_parent(tmp_path, how):
    parent = subprocess.Popen(
        [sys.executable, "-m", "vlmbot.cli.main", "eval", "--agent", "oracle", "--episodes",
         "60", "--workers", "2", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd=tmp_path,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.5)
            workers = {p for p in _children(parent.pid) if "spawn" in _cmdline(p)}
        assert len(workers) >= 2, "the workers never started"
        time.sleep(2)
        parent.send_signal(getattr(signal, how))
        parent.wait(timeout=30)
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline and any(_alive(p) for p in workers):
            time.sleep(0.2)
        assert not any(_alive(p) for p in workers), "orphaned workers"
        if how == "SIGTERM":
            assert parent.returncode == 143
            out = parent.stdout.read().decode()
            assert json.loads(out)["interrupted"] is True
    finally:
        if parent.poll() is None:
            parent.kill()


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""
