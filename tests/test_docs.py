"""The README documents every command: a command added without a line there fails here."""

from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from chainatlas.cli.main import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    root = get_command(app)
    names: list[str] = []
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        sub = getattr(cmd, "commands", None)
        if sub:
            names.extend(f"{name} {s}" for s in sub)
        else:
            names.append(name)
    return names


def test_every_command_is_in_the_readme() -> None:
    commands = _commands()
    assert len(commands) > 20
    missing = []
    for c in commands:
        group, _, sub = c.partition(" ")
        # "chainatlas chain report" or, in a row listing several, "… / compare A B"
        if f"chainatlas {c}" not in README and not (sub and f"`chainatlas {group}" in README and f"{sub}" in README):
            missing.append(c)
    assert not missing, f"commands not documented in README.md: {missing}"


def test_readme_opens_with_the_two_commands() -> None:
    head = README.split("```")[1]
    assert "make run" in head and "make test" in head


def test_every_command_has_bilingual_help() -> None:
    root = get_command(app)
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        for sub in [cmd, *getattr(cmd, "commands", {}).values()]:
            text = (sub.help or "") + (sub.short_help or "")
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text), f"{name} {sub.name}: no Chinese help"
            assert any(ch.isascii() and ch.isalpha() for ch in text), f"{name} {sub.name}: no English help"

