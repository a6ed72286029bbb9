"""Run the command line with ``python -m briefgen``."""

from briefgen.cli import run

run()
