"""`vlmbot configs`: every config class is listed with its defaults, every default validates, and
docs/configuration.md is its current output."""

import dataclasses
from pathlib import Path

import pytest

from vlmbot.cli.config_cmds import config_classes, markdown
from vlmbot.cli.main import main

DOC = Path(__file__).parents[2] / "docs" / "configuration.md"


def test_docs_are_the_current_table():
    assert DOC.read_text() == markdown(), (
        "docs/configuration.md is stale: vlmbot configs --markdown > docs/configuration.md"
    )


@pytest.mark.parametrize(
    ("stage", "cls"), config_classes(), ids=lambda v: getattr(v, "__name__", v)
)
def test_every_config_is_frozen_and_validates_its_defaults(stage, cls):
    config = cls()
    assert dataclasses.is_dataclass(config)
    field = dataclasses.fields(cls)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(config, field.name, getattr(config, field.name))


def test_configs_command(capsys):
    assert main(["configs"]) == 0
    out = capsys.readouterr().out
    assert "GateConfig.min_score" in out and "PerceptionConfig.merge_distance" in out
