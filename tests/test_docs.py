"""Every setting and every command is documented in the README."""

from __future__ import annotations

from api.cli import app
from kg.config import environment_variables
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    for variable in environment_variables():
        assert f"`{variable}`" in README, variable


def test_every_command_is_in_the_tour() -> None:
    for name in app.commands:
        assert f"kg {name}" in README, name
