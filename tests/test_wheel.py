"""The wheel ships the default theme: installed outside the repository, it builds the sample."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT, SAMPLE


def test_an_installed_wheel_builds_the_sample_outside_the_repository(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path / "dist"), str(ROOT)], check=True)
    wheel = next((tmp_path / "dist").glob("briefgen-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {"briefgen/templates/briefing-pack.html.j2", "briefgen/templates/briefgen.css",
            "briefgen/templates/reference.docx"} <= set(names)

    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                    str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    environment = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import briefgen.render.html as h; print(h.default_theme_dir())"],
                           cwd=elsewhere, env=environment, capture_output=True, text=True, check=True).stdout
    assert Path(where.strip()) == site / "briefgen" / "templates"
    result = subprocess.run([sys.executable, "-m", "briefgen", "build", str(SAMPLE), "--format", "html,docx"],
                            cwd=elsewhere, env=environment, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "out" / "carney-china-2026" / "briefing-pack.docx").stat().st_size > 0
    assert "<h1>Prime Minister’s Official Visit to China</h1>" in (  # with its curly apostrophe
        elsewhere / "out" / "carney-china-2026" / "briefing-pack.html").read_text(encoding="utf-8")
