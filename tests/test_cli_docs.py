"""Every command and option of the command line is documented in the README."""

from __future__ import annotations

from pathlib import Path

from pipelines.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_command_is_in_the_readme_table() -> None:
    for name, command in cli.commands.items():
        assert f"| `foilog {name}" in README, f"foilog {name} is not documented"
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt not in ("--help", "--verbose"):
                    assert opt in README, f"foilog {name} {opt} is not documented"
