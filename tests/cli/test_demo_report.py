import pytest

from vlmbot.demo import DEMO_EPISODES, run_demo

pytestmark = pytest.mark.sim


def test_demo_writes_an_html_report(tmp_path, capsys):
    path = run_demo(tmp_path, "oracle", DEMO_EPISODES[:2] + DEMO_EPISODES[7:8])
    html = path.read_text()
    assert path.name == "index.html"
    assert "PRIVILEGED" in html  # the oracle is labelled as such
    for spec in (DEMO_EPISODES[0], DEMO_EPISODES[7]):
        assert spec.task in html
    assert list(tmp_path.glob("ep00_*_before.png")) and list(tmp_path.glob("ep00_*_after.png"))
    assert "✅" in html
    out = capsys.readouterr().out
    assert "success" in out and "[ 1/3]" in out
