"""briefgen/text.py: the rules every stage shares, each kept once (slugs, e-mail addresses, scripts)."""

from __future__ import annotations

import pytest

from briefgen.text import (header_text_problem, is_email_address, language_runs, one_line_problem, script_defaults,
                           script_language, script_range, slugify)
from conftest import minimal_brief, run_briefgen, write_brief


@pytest.mark.parametrize(("text", "slug"), [
    ("Jean Côté", "jean-cote"), ("  Dr. Ann O'Neil ", "dr-ann-o-neil"), ("习近平", ""),
    ("Visite officielle en Chine", "visite-officielle-en-chine"), ("a" * 70, "a" * 60),
    ("ab-" * 30, ("ab-" * 20)[:59])])
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(("address", "accepted"), [("ann@example.org", True), ("o'neil+mp@parl.gc.ca", True),
                                                   ("élise@example.org", False), ("ann@exämple.org", False),
                                                   ("ann@example", False), ("<ann@example.org>", False),
                                                   ("ann@@example.org", False),
                                                   ("a" * 64 + "@example.org", True),
                                                   ("a" * 65 + "@example.org", False),
                                                   ("ann@" + ".".join(["a" * 60] * 4) + ".org", True),
                                                   ("ann@" + ".".join(["a" * 60] * 4) + ".example.org", False)])
def test_one_e_mail_rule(address: str, accepted: bool) -> None:
    assert is_email_address(address) is accepted


def test_the_brief_takes_the_recipients_e_mail_rule(tmp_path) -> None:
    data = minimal_brief()
    data["prepared_by"]["contact"] = {"name": "Élise", "email": "élise@example.org"}
    brief = write_brief(tmp_path, data)
    result = run_briefgen("validate", str(brief))
    assert result.returncode == 2
    assert result.stderr.endswith(": prepared_by.contact.email: 'élise@example.org' is not an e-mail address like "
                                  "name@example.org\n")


@pytest.mark.parametrize(("text", "language"), [("习近平", "zh"), ("（习近平）", "zh"), ("བོད་", "bo"),
                                                ("ئۇيغۇر", "ar"), ("とうきょう", "ja"), ("한국", "ko"),
                                                ("कैलाश", "hi"), ("Путин", "ru"), ("Ελλάδα", "el"), ("שלום", "he"),
                                                ("ไทย", "th"), ("Xi 习", "zh"), ("Lai", "und"), ("「」", "und")])
def test_the_language_of_a_run_in_another_script(text: str, language: str) -> None:
    assert script_language(text) == language


def test_a_brief_that_names_a_language_of_a_script_makes_it_the_scripts() -> None:
    defaults = script_defaults(["en", "fr", "ug", "zh-Hant", "mr", "ja"])
    assert defaults == {"arabic": "ug", "cjk": "zh-Hant", "devanagari": "mr"}
    assert [script_language(text, defaults) for text in ("ئۇيغۇر", "习近平", "とうきょう", "कैलाश", "བོད་")] == [
        "ug", "zh-Hant", "ja", "mr", "bo"]


def test_a_run_holds_the_spaces_and_punctuation_between_letters_of_its_language_only() -> None:
    text = "Tibet (བོད་ཀྱི), गंगा नदी 人权 and ئىلھام توختى."
    runs = language_runs(text, {"arabic": "ug"})
    assert [(text[start:end], language) for start, end, language in runs] == [
        ("བོད་ཀྱི", "bo"), ("गंगा नदी", "hi"), ("人权", "zh"), ("ئىلھام توختى", "ug")]


def test_each_script_range_names_its_font_package() -> None:
    assert script_range("习").font_package == "fonts-noto-cjk"
    assert script_range("\U00020000").font_package == "fonts-noto-cjk-extra"
    assert script_range("བ").font_package == "fonts-noto-core"
    assert script_range("a") is None


ENCODED = ("contains =?…?=, which mail programs read as an encoded word (RFC 2047) and show as other text; write the "
           "text itself")


@pytest.mark.parametrize(("text", "problem"), [
    ("Ann Arbour", None), ("Cleo Côté", None), ("习近平", None), ("Dr. O'Neil (MP), \"Nan\"", None),
    ("Objet\u202f: droits", None), ("a" * 1000, None), ("50% = ? and ?=", None),
    ("Ann\x00", "contains the control character U+0000; remove it"),
    ("\x1b[31mAnn", "contains the control character U+001B; remove it"),
    ("Ann\x07", "contains the control character U+0007; remove it"),
    ("Ann\x7f", "contains the control character U+007F; remove it"),
    ("Ann\x9b", "contains the control character U+009B; remove it"),
    ("Ann\tArbour", "contains the control character U+0009; remove it"),
    ("Ann\nBcc: x@evil.example", "must be on one line; remove the line break (U+000A) in it"),
    ("Ann\rArbour", "must be on one line; remove the line break (U+000D) in it"),
    ("Ann\x85Bob", "must be on one line; remove the line break (U+0085) in it"),
    ("Ann\u2028Bob", "must be on one line; remove the line break (U+2028) in it"),
    ("Ann\u2029Bob", "must be on one line; remove the line break (U+2029) in it"),
    ("=?utf-8?b?PGF0dGFja2VyQGV2aWwuZXhhbXBsZT4=?=", ENCODED), ("Ann =?ISO-8859-1?Q?C=F4t=E9?=", ENCODED),
    ("=?utf-8?q?Bob_Roe=0D=0ABcc:_evil@evil.example?=", ENCODED)])
def test_one_rule_for_text_in_an_e_mail_header(text: str, problem: str | None) -> None:
    assert header_text_problem(text) == problem
    if problem != ENCODED:
        assert one_line_problem(text) == problem
