"""Authoring: the JSON Schema for editors, the starter brief, and incremental builds."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import jsonschema
import yaml
from PIL import Image

from briefgen.model.schema import SCHEMA_FILE, brief_schema_text
from conftest import FIXTURES, LETTER_BRIEF, ROOT, SAMPLE, minimal_brief, pdf_text, run_briefgen, write_brief


def test_the_schema_in_the_repository_is_current() -> None:
    assert (ROOT / SCHEMA_FILE).read_text(encoding="utf-8") == brief_schema_text(), (
        "run: .venv/bin/briefgen schema > schema/brief-v1.schema.json")


def test_briefgen_schema_prints_a_draft_2020_12_schema_with_descriptions() -> None:
    result = run_briefgen("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["classification"]["description"].startswith("Security marking")
    assert schema["$defs"]["Issue"]["properties"]["internal_notes"]["internal"] is True


def test_the_schema_validates_the_sample_and_catches_a_misspelt_key() -> None:
    schema = json.loads(brief_schema_text())
    sample = json.loads(json.dumps(yaml.safe_load(SAMPLE.read_text(encoding="utf-8")), default=str))
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(sample)) == []
    sample["titel"] = "typo"
    assert [error.message for error in validator.iter_errors(sample)] == [
        "Additional properties are not allowed ('titel' was unexpected)"]


def test_the_sample_points_editors_at_the_schema_file() -> None:
    first_line = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../schema/brief-v1.schema.json"
    assert (SAMPLE.parent / "../schema/brief-v1.schema.json").resolve() == ROOT / SCHEMA_FILE


def test_a_new_brief_validates_and_builds(tmp_path: Path) -> None:
    brief = tmp_path / "visit.yaml"
    result = run_briefgen("new", str(brief), "--title", 'Visit to "Testland"', "--lang", "en,fr")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {brief}\nwrote {tmp_path / 'brief-v1.schema.json'}\n"
    text = brief.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=brief-v1.schema.json\n")
    assert "languages: [en, fr]" in text
    assert run_briefgen("validate", str(brief)).returncode == 0
    built = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--lang", "all", "--format", "pdf")
    assert built.returncode == 0, built.stderr
    assert sorted(path.name for path in (tmp_path / "out" / "visit-to-testland").glob("*.pdf")) == sorted(
        f"{document}{language}.pdf" for document in ("briefing-pack", "delegation-pack", "leave-behind", "letter")
        for language in ("", ".fr"))
    # Every text is written in both languages, so the French build is French.
    data = yaml.safe_load(text)
    assert data["title"] == {"en": 'Visit to "Testland"', "fr": 'Visit to "Testland"'}
    assert data["issues"][0]["title"] == {"en": "The first issue", "fr": "Le premier enjeu"}
    assert data["letter"]["salutation"] == {"en": "Dear Prime Minister,", "fr": "Monsieur le Premier Ministre,"}
    french = pdf_text(tmp_path / "out" / "visit-to-testland" / "letter.fr.pdf")
    assert "Monsieur le Premier Ministre," in french and "Dear Prime Minister" not in french


def test_a_new_french_brief_is_written_in_french(tmp_path: Path) -> None:
    brief = tmp_path / "visite.yaml"
    assert run_briefgen("new", str(brief), "--title", "Visite au Canada", "--lang", "fr").returncode == 0
    data = yaml.safe_load(brief.read_text(encoding="utf-8"))
    assert (data["language"], data["id"], data["issues"][0]["summary"]) == (
        "fr", "visite-au-canada", "L’enjeu en deux ou trois phrases.")
    assert run_briefgen("validate", str(brief)).returncode == 0


def test_new_does_not_overwrite_a_brief(tmp_path: Path) -> None:
    brief = tmp_path / "visit.yaml"
    brief.write_text("mine", encoding="utf-8")
    result = run_briefgen("new", str(brief))
    assert result.returncode == 2
    assert result.stderr == f"{brief}: already exists; choose another name or remove it first\n"
    assert brief.read_text(encoding="utf-8") == "mine"


def test_an_unchanged_rebuild_renders_nothing_and_a_change_renders_again(tmp_path: Path) -> None:
    data = minimal_brief()
    brief = write_brief(tmp_path, data)
    out = tmp_path / "out"
    arguments = ("build", str(brief), "-o", str(out), "--format", "pdf,html")
    first = run_briefgen(*arguments)
    assert first.returncode == 0 and first.stdout.count("wrote ") == 6
    before = {path: path.stat().st_mtime_ns for path in out.rglob("*.pdf")}

    again = run_briefgen(*arguments)
    assert again.returncode == 0
    assert again.stdout == (f"up to date: {out / 'minimal'} (nothing changed since the last build; "
                            "--force renders again)\n")
    assert {path: path.stat().st_mtime_ns for path in out.rglob("*.pdf")} == before
    # How many processes lay the documents out does not change them.
    assert run_briefgen(*arguments, "--jobs", "1").stdout.startswith("up to date")

    assert run_briefgen(*arguments, "--force").stdout.count("wrote ") == 6
    assert run_briefgen("build", str(brief), "-o", str(out), "--format", "pdf").stdout.count("wrote ") == 3

    data["title"] = "Changed"
    write_brief(tmp_path, data)
    assert run_briefgen(*arguments).stdout.count("wrote ") == 6

    (out / "minimal" / "leave-behind.pdf").write_bytes(b"edited by hand")
    assert "wrote " + str(out / "minimal" / "leave-behind.pdf") in run_briefgen(*arguments).stdout


def test_an_unchanged_rebuild_reads_only_the_manifest_and_gives_the_same_warnings(tmp_path: Path) -> None:
    data = minimal_brief()
    data["issues"][0]["summary"] = "# Not a heading\n\nThe summary."
    brief = write_brief(tmp_path, data)
    arguments = ("build", str(brief), "-o", str(tmp_path / "out"), "--format", "pdf,docx")
    first = run_briefgen(*arguments)
    assert first.returncode == 0 and first.stdout.count("wrote ") == 6
    assert "a heading prints as typed" in first.stderr

    again = subprocess.run([sys.executable, "-X", "importtime", "-m", "briefgen", *arguments], capture_output=True,
                           text=True, check=True)
    imported = {line.split("|")[-1].strip() for line in again.stderr.splitlines() if line.startswith("import time:")}
    assert "briefgen.commands.build" in imported
    assert not {name for name in imported if name.split(".")[0] in ("pydantic", "yaml", "weasyprint", "docx", "jinja2")}
    warnings = [line for line in again.stderr.splitlines() if not line.startswith("import time:")]
    assert warnings == first.stderr.splitlines()
    assert again.stdout.startswith("up to date: ")


def test_a_pdf_build_lays_out_without_the_brief_model_until_something_asks_for_it(tmp_path: Path) -> None:
    # The brief is loaded and the HTML made in a child while the build's process imports
    # WeasyPrint; the model, pydantic and YAML come back to the parent only when the result is
    # asked for its brief, and the templates' Jinja and Babel never.
    script = f"""
import sys
from pathlib import Path
from briefgen.commands.build import BuildOptions, build
result = build(Path({str(LETTER_BRIEF)!r}), BuildOptions(output_dir=Path({str(tmp_path)!r}), force=True))
print(sorted({{name.split(".")[0] for name in sys.modules}} & {{"pydantic", "yaml", "jinja2", "babel"}}))
print(sorted(path.name for path in result.written))
print(result.brief.id, result.brief.title, "pydantic" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    modules, written, brief = result.stdout.splitlines()
    assert modules == "[]"
    assert written == str(sorted(path.name for path in (tmp_path / "letter-test").iterdir()
                                 if not path.name.startswith(".")))
    assert written.count(".pdf") == 4 and written.count(".docx") == 4
    title = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))["title"]
    assert brief == f"letter-test {title} True"


def test_a_word_only_build_never_imports_weasyprint(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "briefgen", "build", str(LETTER_BRIEF), "-o",
                             str(tmp_path), "--format", "docx"], capture_output=True, text=True, check=True)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    assert "docx" in imported and "weasyprint" not in imported
    assert result.stdout.count("wrote ") == 4
    letter = docx.Document(str(tmp_path / "letter-test" / "letter.docx"))
    assert "Re: Human rights during your visit" in [paragraph.text for paragraph in letter.paragraphs]


def test_a_manifest_entry_briefgen_did_not_write_means_building_again(tmp_path: Path) -> None:
    brief = write_brief(tmp_path, minimal_brief())
    arguments = ("build", str(brief), "-o", str(tmp_path / "out"), "--format", "html")
    assert run_briefgen(*arguments).stdout.count("wrote ") == 3
    manifest = tmp_path / "out" / "minimal" / ".briefgen-build.json"
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({"not json" + key: {**entry, "warnings": [{"line": "one"}]}
                                    for key, entry in entries.items()}), encoding="utf-8")
    again = run_briefgen(*arguments)
    # Not up to date by those entries, but each document is found unchanged by its own record.
    assert again.returncode == 0 and again.stdout.count("kept ") == 3, again.stderr
    assert run_briefgen(*arguments).stdout.startswith("up to date")


def test_a_one_word_edit_of_the_letter_lays_out_only_the_documents_that_show_it(tmp_path: Path) -> None:
    data = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))
    brief = write_brief(tmp_path, data)
    arguments = ("build", str(brief), "-o", str(tmp_path / "out"), "--lang", "all", "--format", "pdf,docx", "--timings")
    assert run_briefgen(*arguments).stdout.count("wrote ") == 16
    data["letter"]["body"]["en"] = "The situation has worsened badly. We ask you to act."
    write_brief(tmp_path, data)

    edited = run_briefgen(*arguments)
    assert edited.returncode == 0, edited.stderr
    done = {line.split()[0]: [] for line in edited.stdout.splitlines()}
    for line in edited.stdout.splitlines():
        done[line.split()[0]].append(Path(line.split()[1]).name)
    # The English letter, and the packs that annex it, are laid out again; nothing else is.
    assert sorted(done["wrote"]) == [f"{document}.{extension}" for document in ("briefing-pack", "delegation-pack",
                                                                               "letter")
                                     for extension in ("docx", "pdf")]
    assert len(done["kept"]) == 10 and "leave-behind.pdf" in done["kept"] and "letter.fr.pdf" in done["kept"]
    assert "render 3 documents (2 processes)" in edited.stderr
    # What is kept is what a build from scratch of the edited brief makes, byte for byte.
    fresh = run_briefgen(*arguments[:3], str(tmp_path / "fresh"), *arguments[4:])
    assert fresh.stdout.count("wrote ") == 16, fresh.stderr
    built = {path.name: path.read_bytes() for path in (tmp_path / "out" / "letter-test").iterdir()
             if path.suffix in (".pdf", ".docx")}
    assert built == {path.name: path.read_bytes() for path in (tmp_path / "fresh" / "letter-test").iterdir()
                     if path.suffix in (".pdf", ".docx")}


def test_a_changed_image_lays_out_again_the_documents_that_show_it(tmp_path: Path) -> None:
    folder = tmp_path / "letterhead"
    shutil.copytree(FIXTURES / "letterhead", folder)
    arguments = ("build", str(folder / "brief.yaml"), "-o", str(tmp_path / "out"), "--format", "pdf,docx")
    assert run_briefgen(*arguments).stdout.count("wrote ") == 8
    with Image.open(folder / "signature.png") as signature:
        signature.convert("RGB").rotate(180).save(folder / "signature.png")
    again = run_briefgen(*arguments)
    # The signature is on the letter, which both packs annex; the leave-behind has none.
    assert [line.split()[0] for line in again.stdout.splitlines()] == ["wrote"] * 4 + ["kept"] * 2 + ["wrote"] * 2
    assert "kept " + str(tmp_path / "out" / "letterhead-test" / "leave-behind.pdf") in again.stdout


def test_a_changed_template_renders_again(tmp_path: Path) -> None:
    brief = write_brief(tmp_path, minimal_brief())
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "briefgen.css").write_text((ROOT / "templates" / "briefgen.css").read_text(encoding="utf-8"))
    arguments = ("build", str(brief), "-o", str(tmp_path / "out"), "--format", "html", "--templates", str(theme))
    assert run_briefgen(*arguments).stdout.count("wrote ") == 3
    assert run_briefgen(*arguments).stdout.startswith("up to date")
    with (theme / "briefgen.css").open("a") as css:
        css.write("h1 { color: black; }\n")
    assert run_briefgen(*arguments).stdout.count("wrote ") == 3


def test_the_generated_docs_are_current() -> None:
    from briefgen.docs import DOCUMENTS

    for name, make in DOCUMENTS.items():
        assert (ROOT / name).read_text(encoding="utf-8") == make(), f"{name} is stale: run make docs"


def test_the_format_reference_lists_every_field_with_its_description() -> None:
    reference = (ROOT / "docs" / "brief-format.md").read_text(encoding="utf-8")
    assert "| `internal_notes` | text |  | Notes for officials only (Markdown). **Officials only.** |" in reference
    assert "## Issue" in reference and "## Letter" in reference
