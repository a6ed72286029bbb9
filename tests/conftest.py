"""Shared fixtures: paths of the repository, the sample brief, and tool availability.

A test that needs an outside tool (pdftotext, soffice) skips with a reason when the tool
is missing, except under CI=true, where the Makefile must have installed it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "briefs" / "carney-china-2026.yaml"
FIXTURES = ROOT / "tests" / "fixtures"


def require_tool(name: str) -> str:
    """The path of command ``name``; skips the test when missing, fails under CI."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (make test installs it through apt-get)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
