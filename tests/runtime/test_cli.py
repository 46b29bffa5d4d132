import pytest
from support import run_cli

from orchestration.cli import parser

SUBCOMMANDS = sorted(parser()._subparsers._group_actions[0].choices)


def test_every_subcommand_is_listed_in_top_level_help():
    out = run_cli("--help").stdout
    assert SUBCOMMANDS, "no subcommands found"
    for name in SUBCOMMANDS:
        assert name in out


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_has_help(name):
    proc = run_cli(name, "--help")
    assert proc.stdout.startswith(f"usage: leadscore {name}")


def test_bad_date_is_a_clear_error():
    proc = run_cli("build", "--date", "2026-13-45", check=False)
    assert proc.returncode == 2
    assert "not a date" in proc.stderr


def test_generate_requires_positive_sizes():
    proc = run_cli("generate", "--contacts", "0", "--days", "3", check=False)
    assert proc.returncode == 2
    assert "positive" in proc.stderr
