"""The library API, used as a library: briefgen.build, validate, letters and send from the package
root, with typed options and result objects, raising only the exceptions of briefgen.errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import briefgen
from briefgen.errors import BriefgenError, InvalidBriefError, InvalidRecipientsError, UsageError
from conftest import LETTER_BRIEF, PEOPLE, Mailbox, minimal_brief, pdf_text, write_brief, write_recipients


def test_build_writes_the_documents_and_says_what_it_wrote(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = briefgen.build(str(write_brief(tmp_path, minimal_brief())),
                            briefgen.BuildOptions(output_dir=out, formats=("pdf", "html")))
    assert isinstance(result, briefgen.BuildResult)
    assert result.brief.id == "minimal" and not result.up_to_date
    assert [(file.document_id, file.format) for file in result.files] == [
        (document, kind) for document in ("briefing-pack", "delegation-pack", "leave-behind")
        for kind in ("html", "pdf")]
    assert result.written == [out / file.relative_path for file in result.files]
    assert [file.pages for file in result.files if file.format == "pdf"][2] == 1
    assert "Minimal brief" in pdf_text(out / "minimal" / "leave-behind.pdf")
    assert [str(warning) for warning in result.warnings] == []
    again = briefgen.build(write_brief(tmp_path, minimal_brief()),
                           briefgen.BuildOptions(output_dir=out, formats=("pdf", "html")))
    assert again.up_to_date and again.written == []


def test_build_raises_the_documented_errors(tmp_path: Path) -> None:
    data = minimal_brief()
    data["titel"] = data.pop("title")
    with pytest.raises(InvalidBriefError) as raised:
        briefgen.build(write_brief(tmp_path, data))
    assert [problem.key_path for problem in raised.value.problems] == ["titel"]
    assert raised.value.exit_code == 2
    with pytest.raises(UsageError, match="the brief is written in en only, not fr"):
        briefgen.build(write_brief(tmp_path, minimal_brief()), briefgen.BuildOptions(languages=("fr",)))
    assert issubclass(UsageError, BriefgenError)


def test_validate_reports_each_brief(tmp_path: Path) -> None:
    good = write_brief(tmp_path, minimal_brief(), "good.yaml")
    data = minimal_brief()
    data["asks"][0]["issue"] = "frist-issue"
    bad = write_brief(tmp_path, data, "bad.yaml")
    result = briefgen.validate([good, bad])
    assert isinstance(result, briefgen.ValidationResult)
    assert not result.valid
    assert [report.valid for report in result.briefs] == [True, False]
    assert [str(problem).split(": ", 1)[1] for problem in result.problems] == [
        "asks[0].issue: no issue has the id 'frist-issue'; did you mean 'first-issue'?"]


def test_letters_then_send_deliver_each_letter_once(tmp_path: Path, smtp_server) -> None:
    recipients = write_recipients(tmp_path, PEOPLE[:3])
    merged = briefgen.letters(LETTER_BRIEF, recipients, briefgen.LetterOptions(output_dir=tmp_path / "out", jobs=1))
    assert isinstance(merged, briefgen.LettersResult)
    assert [(letter.slug, letter.language, letter.pages) for letter in merged.letters] == [
        ("ann-arbour", "en", 1), ("cleo-cote", "fr", 1), ("dev-das", "en", 1)]
    assert merged.folder == tmp_path / "out" / "letter-test" / "letters"
    mailbox = Mailbox()
    options = briefgen.SmtpOptions(host="127.0.0.1", port=smtp_server(mailbox))
    report = briefgen.send(merged.folder, options)
    assert isinstance(report, briefgen.SendReport) and report.delivered_all
    assert mailbox.delivered_to() == Counter(person["email"] for person in PEOPLE[:3])
    assert briefgen.send(merged.folder, options).sent == []


def test_letters_raise_the_documented_errors(tmp_path: Path) -> None:
    recipients = tmp_path / "recipients.csv"
    recipients.write_text("name,email\nAnn,not-an-address\n", encoding="utf-8")
    with pytest.raises(InvalidRecipientsError) as raised:
        briefgen.letters(LETTER_BRIEF, recipients, briefgen.LetterOptions(output_dir=tmp_path / "out"))
    assert [str(problem) for problem in raised.value.problems] == [
        f"{recipients}:2: email: 'not-an-address' is not an e-mail address"]
    assert not (tmp_path / "out").exists()


def test_the_api_names_are_the_documented_ones() -> None:
    assert sorted(briefgen.__all__) == sorted(["__version__", "build", "BuildOptions", "BuildResult", "letters",
                                               "LetterOptions", "LettersResult", "send", "SmtpOptions", "SendReport",
                                               "validate", "ValidationResult"])
    with pytest.raises(AttributeError, match="module 'briefgen' has no attribute 'compile'"):
        briefgen.compile  # noqa: B018
