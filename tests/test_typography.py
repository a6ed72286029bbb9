"""Typography in both formats and both languages (issue 17, part 3), asserted on real outputs.

A bilingual brief written here triggers each rule: several sources per fact, straight quotes
and apostrophes in names, titles, questions and the subject, French labels with a colon, a
visit across two months, a cover date, a phone number where a line would break it, and a
long URL with hyphens. The PDF's text is read with pdftotext (``-layout`` keeps its lines;
poppler prints every kind of space as a space, so the exact spaces are read with pypdf),
the .docx as its XML, and the Word layout through LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zipfile
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.load.recipients import Recipient
from briefgen.mail.drafts import letter_draft
from briefgen.model.brief import Brief
from briefgen.prepare.letters import Sender
from briefgen.render.html import default_theme_dir, render_html
from briefgen.view.context import build_context
from briefgen.view.dates import date_range
from briefgen.view.markdown import render_inline
from briefgen.view.typography import breakable_address, format_count, typeset
from tests.conftest import require_tool, run_briefgen, write_brief

NNBSP, NBSP = "\u202f", "\u00a0"
PHONE = "+1 613-555-0199"
EMAIL = "jean-pierre.oneil@coalition-droits.example.ca"
# A piece with hyphens that crosses the end of the annex's line: without protection it breaks at a hyphen.
URL = ("https://www.example.ca/rapport-annuel-sur-les-pensionnats-au-tibet-et-les-droits-de-la-personne-ve"
       ".html")
# A name of this length puts the phone number across the end of the letter's contact line.
LETTER_CONTACT = "Marie-Ève O'Neil, Director of Policy and Research"


def t(en: str, fr: str) -> dict[str, str]:
    return {"en": en, "fr": fr}


def typo_brief() -> dict:
    """A bilingual brief that triggers every rule of the issue."""
    return {
        "briefgen": 1, "id": "typo", "languages": ["en", "fr"],
        "title": t('The Prime Minister\'s "reset" visit', "La visite de « relance » du premier ministre"),
        "subtitle": t("What's at stake", "Les enjeux: l'essentiel"),
        "date": "2027-02-15",
        "prepared_by": {"organization": t("Rights Office", "Bureau des droits"),
                        "contact": {"name": "Jean-Pierre O'Neil", "email": EMAIL, "phone": "+1 613-555-0123"}},
        "visit": {"principal": {"name": "Test Principal", "title": t("Prime Minister", "Premier ministre")},
                  "host": t("Republic of India", "République de l'Inde"),
                  "destination": t("to the Republic of India", "en Inde"),
                  "start": "2027-01-30", "end": "2027-02-02",
                  "programme": [{"date": "2027-01-30", "time": "14:00", "event": t("Arrival", "Arrivée")}]},
        "issues": [{"id": "schools", "title": t("Children's schools", "Les écoles d'enfants"),
                    "facts": [{"text": t("A first fact.", "Un premier fait."), "sources": ["s1", "s2"]},
                              {"text": t("The report came out in August 2026.", "Le rapport est paru en août 2026."),
                               "sources": ["s3", "s4"]}],
                    "people": [{"name": "Tenzin O'Brien", "status": t("detained", "détenu")}],
                    "responsive_lines": [{"question": t('Isn\'t this "interference"?',
                                                        'N\'est-ce pas de l\'"ingérence" ?'),
                                          "answer": t("No.", "Non.")}]}],
        "asks": [{"id": "ask", "issue": "schools", "text": t("Raise it.", "Le soulever."),
                  "of": t("Prime Minister", "Premier ministre"), "by": ["g0"]}],
        "signatories": [{"id": f"g{i}", "name": f"Group {i}"} for i in range(3)],
        "letter": {"to": {"name": t("The Prime Minister", "Le premier ministre")},
                   "subject": t('Canada\'s "reset" with India', "La « relance » du Canada avec l'Inde : nos demandes"),
                   "salutation": t("Dear Prime Minister,", "Monsieur le Premier Ministre,"),
                   "signed_by": ["g0", "g1", "g2"],
                   "contact": {"name": LETTER_CONTACT, "email": "marie-eve@example.ca", "phone": PHONE}},
        "sources": [{"id": f"s{i}", "title": f"Report {i}", **({"url": URL} if i == 1 else {})} for i in range(1, 5)],
        "documents": ["briefing-pack", "letter"],
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The brief built in both languages, PDF and .docx."""
    folder = tmp_path_factory.mktemp("typo")
    result = run_briefgen("build", str(write_brief(folder, typo_brief())), "-o", str(folder / "out"),
                          "--lang", "all", "--format", "pdf,docx")
    assert result.returncode == 0, result.stderr
    return folder / "out" / "typo"


@pytest.fixture(scope="module")
def unprotected(tmp_path_factory) -> Path:
    """The English documents laid out with a theme whose stylesheet lacks the ``.nowrap`` rule:
    the proof that the test's phone number and URL sit where a line would break them."""
    folder = tmp_path_factory.mktemp("unprotected")
    theme = folder / "theme"
    theme.mkdir()
    css = (default_theme_dir() / "briefgen.css").read_text(encoding="utf-8")
    assert ".nowrap { white-space: nowrap; }\n" in css
    (theme / "briefgen.css").write_text(css.replace(".nowrap { white-space: nowrap; }\n", ""), encoding="utf-8")
    result = run_briefgen("build", str(write_brief(folder, typo_brief())), "-o", str(folder / "out"),
                          "--lang", "en", "--format", "pdf", "--templates", str(theme))
    assert result.returncode == 0, result.stderr
    return folder / "out" / "typo"


@pytest.fixture(scope="module")
def libreoffice(built, tmp_path_factory) -> Path:
    """The .docx files laid out by LibreOffice, as PDF."""
    soffice = require_tool("soffice")
    out = tmp_path_factory.mktemp("libreoffice")
    profile = tmp_path_factory.mktemp("profile")
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *(str(path) for path in sorted(built.glob("*.docx")))],
                   check=True, capture_output=True, timeout=300)
    return out


def layout_text(pdf: Path) -> str:
    """The PDF's text line by line as laid out, quotes as printed (not normalised)."""
    return subprocess.run([require_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def exact_text(pdf: Path) -> str:
    """The PDF's text with its exact characters, no-break spaces included (pypdf)."""
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def docx_text(docx: Path) -> str:
    """The text of the .docx's body as Word shows it: its runs' text, non-breaking hyphens as hyphens."""
    xml = document_xml(docx).replace("<w:noBreakHyphen/>", "<w:t>-</w:t>")
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


def document_xml(docx: Path) -> str:
    with zipfile.ZipFile(docx) as archive:
        return archive.read("word/document.xml").decode("utf-8")


def line_breaks(text: str, value: str) -> list[str]:
    """The character after which each line break inside an occurrence of ``value`` in ``text``
    falls: [] if every occurrence is on one line; fails if ``value`` is not in ``text``.

    A break may replace a space of ``value``; -layout indents the next line with spaces.
    """
    pattern = r"(?:\n\s*)?".join(r"\s+" if char == " " else re.escape(char) for char in value)
    matches = list(re.finditer(pattern, text))
    assert matches, f"{value!r} is not in the text"
    return [match.group()[index - 1] for match in matches for index, char in enumerate(match.group())
            if char == "\n"]


# -- the rules, one by one -----------------------------------------------------------------


def test_plain_texts_get_each_languages_quotes_and_apostrophes() -> None:
    assert typeset('The Prime Minister\'s "reset" visit', "en") == "The Prime Minister’s “reset” visit"
    assert typeset("He said \"it's 'fine'\"", "en") == "He said “it’s ‘fine’”"
    assert typeset('Tibetans\' rights', "en") == "Tibetans’ rights"
    assert typeset('Il a dit "bonjour" à l\'État', "fr") == f"Il a dit «{NNBSP}bonjour{NNBSP}» à l’État"
    assert typeset('" une menace "', "fr") == f"«{NNBSP}une menace{NNBSP}»"


def test_french_spacing_never_doubles_a_space_and_leaves_what_must_stay_exact() -> None:
    assert typeset("Annexe A: Demandes", "fr") == f"Annexe A{NNBSP}: Demandes"
    assert typeset("Annexe A : Demandes", "fr") == f"Annexe A{NNBSP}: Demandes"
    assert typeset(f"Annexe A{NNBSP}: Demandes", "fr") == f"Annexe A{NNBSP}: Demandes"
    assert typeset("Vraiment ?! Non; oui!", "fr") == f"Vraiment{NNBSP}?! Non{NNBSP}; oui{NNBSP}!"
    assert typeset("« une menace »", "fr") == f"«{NNBSP}une menace{NNBSP}»"
    assert typeset("78 % et 1 000 000 en 2026", "fr") == f"78{NNBSP}% et 1{NNBSP}000{NNBSP}000 en 2026"
    assert typeset("à 14:00, voir https://ex.ca/a?b=c ou a-b@ex.ca; ratio 3:1", "fr") == (
        f"à 14:00, voir https://ex.ca/a?b=c ou a-b@ex.ca{NNBSP}; ratio 3:1")
    assert typeset("Annex A: Asks", "en") == "Annex A: Asks"


def test_markdown_gets_the_same_typography_and_leaves_code_and_addresses_alone() -> None:
    assert render_inline('Il a dit "oui" : *voilà*: `a : b` <https://ex-a.ca/x>', "fr") == (
        f"Il a dit «{NNBSP}oui{NNBSP}»{NNBSP}: <em>voilà</em>{NNBSP}: <code>a : b</code> "
        '<a href="https://ex-a.ca/x">https://<wbr><span class="nowrap">ex-a.</span><wbr>ca/<wbr>x</a>')
    assert render_inline('"It\'s" ok: yes', "en") == "“It’s” ok: yes"


def test_numbers_briefgen_writes_are_grouped_as_each_language_writes_them(tmp_path: Path) -> None:
    assert format_count(1234567, "en") == "1,234,567"
    assert format_count(1234567, "fr") == f"1{NNBSP}234{NNBSP}567"
    data = typo_brief()
    data["signatories"] = [{"id": f"g{i}", "name": f"Group {i}"} for i in range(1234)]
    data["letter"]["signed_by"] = [signatory["id"] for signatory in data["signatories"]]
    brief = Brief.model_validate(data)
    html = {language: render_html("letter.html.j2", build_context(brief, "letter", language=language),
                                  [default_theme_dir()]) for language in ("en", "fr")}
    assert "Signed by 1,234 organizations:" in html["en"]
    assert f"Signée par 1{NNBSP}234 organisations{NNBSP}:" in html["fr"]


def test_date_ranges_within_and_across_months() -> None:
    assert date_range(dt.date(2026, 1, 13), dt.date(2026, 1, 17), "en") == "January 13–17, 2026"
    assert date_range(dt.date(2026, 1, 13), dt.date(2026, 1, 17), "fr") == "13–17 janvier 2026"
    assert date_range(dt.date(2026, 1, 30), dt.date(2026, 2, 2), "en") == f"January 30{NBSP}– February 2, 2026"
    assert date_range(dt.date(2026, 1, 30), dt.date(2026, 2, 2), "fr") == f"30 janvier{NBSP}– 2 février 2026"


def test_addresses_break_only_after_slashes_dots_and_at_signs() -> None:
    assert breakable_address("https://ex-a.ca/b-c/d") == (
        'https://<wbr><span class="nowrap">ex-a.</span><wbr>ca/<wbr><span class="nowrap">b-c/</span><wbr>d')
    assert breakable_address("a-b@c.ca") == '<span class="nowrap">a-b@</span><wbr>c.<wbr>ca'


# -- in the documents ----------------------------------------------------------------------


@pytest.mark.parametrize(("language", "suffix", "fact"), [("en", "", "August 2026.3,4"),
                                                          ("fr", ".fr", "août 2026.3,4")])
def test_calls_to_several_footnotes_are_separated_by_a_comma(built, language, suffix, fact) -> None:
    assert fact in layout_text(built / f"briefing-pack{suffix}.pdf")
    assert "2026.34" not in layout_text(built / f"briefing-pack{suffix}.pdf")
    call = r'<w:r><w:rPr><w:rStyle w:val="footnotereference"/></w:rPr><w:footnoteReference w:id="{}"/></w:r>'
    comma = r'<w:r><w:rPr><w:rStyle w:val="footnotereference"/></w:rPr><w:t>,</w:t></w:r>'
    xml = document_xml(built / f"briefing-pack{suffix}.docx")
    assert call.format(3) + comma + call.format(4) in xml
    assert call.format(1) + comma + call.format(2) in xml
    assert call.format(2) + call.format(3) not in xml


EXPECTED = {
    "en": ["The Prime Minister’s “reset” visit", "What’s at stake", "Children’s schools", "Tenzin O’Brien: detained",
           "Q: Isn’t this “interference”?", "Re: Canada’s “reset” with India", "Marie-Ève O’Neil",
           "Jean-Pierre O’Neil"],
    "fr": [f"La visite de «{NNBSP}relance{NNBSP}» du premier ministre", f"Les enjeux{NNBSP}: l’essentiel",
           "Les écoles d’enfants", f"Tenzin O’Brien{NNBSP}: détenu",
           f"Q{NNBSP}: N’est-ce pas de l’«{NNBSP}ingérence{NNBSP}»{NNBSP}?",
           f"Objet{NNBSP}: La «{NNBSP}relance{NNBSP}» du Canada avec l’Inde{NNBSP}: nos demandes",
           f"Annexe A{NNBSP}: Demandes", "Cahier d’information", f"Signée par 3 organisations{NNBSP}:",
           "République de l’Inde"],
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_text_of_the_brief_is_typeset_in_both_formats(built, language) -> None:
    suffix = "" if language == "en" else ".fr"
    pdf = re.sub(r" ?\n", " ", exact_text(built / f"briefing-pack{suffix}.pdf"))  # lines joined
    docx = docx_text(built / f"briefing-pack{suffix}.docx")
    for expected in EXPECTED[language]:
        assert expected in pdf
        assert expected in docx
    for text in (pdf, docx):
        assert "'" not in text and '"' not in text
        assert f" {NNBSP}" not in text and f"{NNBSP} " not in text and NNBSP * 2 not in text
        assert EMAIL in text.replace("\u200b", "")
        assert "14:00" in text


@pytest.mark.parametrize(("language", "suffix", "cover", "visit"), [
    ("en", "", "February 15, 2027", f"January 30{NBSP}– February 2, 2027"),
    ("fr", ".fr", "15 février 2027", f"30 janvier{NBSP}– 2 février 2027")])
def test_the_cover_writes_its_dates_out_as_every_other_date(built, language, suffix, cover, visit) -> None:
    pdf = exact_text(built / f"briefing-pack{suffix}.pdf")
    first_page = PdfReader(built / f"briefing-pack{suffix}.pdf").pages[0].extract_text()
    assert cover in first_page and "2027-02-15" not in first_page
    assert visit in pdf
    xml = document_xml(built / f"briefing-pack{suffix}.docx")
    assert f"<w:t>{cover}</w:t>" in xml and "2027-02-15" not in xml


def test_the_phone_number_sits_where_a_line_would_break_it(unprotected) -> None:
    assert line_breaks(layout_text(unprotected / "letter.pdf"), PHONE) == ["1"]


@pytest.mark.parametrize("suffix", ["", ".fr"])
def test_phone_numbers_are_never_broken_across_lines(built, suffix) -> None:
    for document in ("letter", "briefing-pack"):
        assert line_breaks(layout_text(built / f"{document}{suffix}.pdf"), PHONE) == []
    assert PHONE in exact_text(built / f"letter{suffix}.pdf")  # ASCII, as typed: white-space: nowrap
    xml = document_xml(built / f"letter{suffix}.docx")
    assert f"<w:t>+1{NBSP}613</w:t><w:noBreakHyphen/><w:t>555</w:t><w:noBreakHyphen/><w:t>0199</w:t>" in xml


def test_the_url_sits_where_a_line_would_break_it_at_a_hyphen(unprotected) -> None:
    assert "-" in line_breaks(layout_text(unprotected / "briefing-pack.pdf"), URL)


@pytest.mark.parametrize("suffix", ["", ".fr"])
def test_urls_and_e_mail_addresses_break_only_after_slashes_dots_and_at_signs(built, suffix) -> None:
    text = layout_text(built / f"briefing-pack{suffix}.pdf")
    assert "/" in line_breaks(text, URL)
    assert set(line_breaks(text, URL)) <= set("/.@")
    assert set(line_breaks(text, EMAIL)) <= set("/.@")
    assert "\u200b" not in text and "\u200b" not in exact_text(built / f"briefing-pack{suffix}.pdf")
    xml = document_xml(built / f"briefing-pack{suffix}.docx")
    assert "<w:t>https://\u200bwww.\u200bexample.\u200bca/\u200b</w:t>" in xml
    assert "<w:t>rapport</w:t><w:noBreakHyphen/><w:t>annuel</w:t><w:noBreakHyphen/><w:t>sur</w:t>" in xml
    with zipfile.ZipFile(built / f"briefing-pack{suffix}.docx") as archive:
        assert f'Target="{URL}"' in archive.read("word/_rels/document.xml.rels").decode()


@pytest.mark.parametrize("suffix", ["", ".fr"])
def test_word_lays_out_the_phone_and_the_url_the_same_way(libreoffice, suffix) -> None:
    # LibreOffice prints Word's non-breaking hyphen as U+2011 and keeps the zero-width spaces.
    def read(name: str) -> str:
        return layout_text(libreoffice / name).replace("\u2011", "-").replace("\u200b", "")

    assert line_breaks(read(f"letter{suffix}.pdf"), PHONE) == []
    assert "/" in line_breaks(read(f"briefing-pack{suffix}.pdf"), URL)
    assert set(line_breaks(read(f"briefing-pack{suffix}.pdf"), URL)) <= set("/.@")
    assert set(line_breaks(read(f"briefing-pack{suffix}.pdf"), EMAIL)) <= set("/.@")


def test_the_visit_reads_naturally_whatever_the_hosts_name() -> None:
    data = typo_brief()
    brief = Brief.model_validate(data)
    html = {language: render_html("delegation-pack.html.j2", build_context(brief, "delegation-pack",
                                                                             language=language),
                                  [default_theme_dir()]) for language in ("en", "fr")}
    assert "Test Principal, Prime Minister: visit to the Republic of India" in html["en"]
    assert f"Test Principal, Premier ministre{NNBSP}: visite en Inde" in html["fr"]
    del data["visit"]["destination"]
    html = render_html("delegation-pack.html.j2", build_context(Brief.model_validate(data), "delegation-pack"),
                       [default_theme_dir()])
    assert "Test Principal, Prime Minister: visit to Republic of India" in html


def test_the_e_mail_subject_is_the_letters_typeset_subject_and_the_addresses_stay_exact() -> None:
    brief = Brief.model_validate(typo_brief())
    recipient = Recipient(name="Cleo O'Côté", email="cleo@example.org", salutation="Chère Mme O'Côté,")
    context = build_context(brief, "letter", recipient.letter_fields(), language="fr")
    html = render_html("letter.html.j2", context, [default_theme_dir()])
    draft = letter_draft("typo", Sender("Marie-Ève O'Neil", "marie-eve@example.ca"), recipient, context, html,
                         b"%PDF-1.7", dt.datetime(2027, 2, 15, 9, 0, tzinfo=dt.UTC))
    message = message_from_bytes(draft.data, policy=policy.default)
    assert message["Subject"] == f"La «{NNBSP}relance{NNBSP}» du Canada avec l’Inde{NNBSP}: nos demandes"
    assert message["To"] == "Cleo O'Côté <cleo@example.org>"
    assert message["From"] == "Marie-Ève O'Neil <marie-eve@example.ca>"
    assert "Chère Mme O’Côté," in html and "Chère Mme O’Côté," in message.get_body(("plain",)).get_content()
