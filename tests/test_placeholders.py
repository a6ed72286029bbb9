"""Placeholders ``{column}`` in a letter's text (``briefgen.view.placeholders``): names normalised as
the headers of a recipients file, values printed as they are (never Markdown or HTML), ``{{ }}``
for braces, and the blocks holding one marked per recipient.
"""

from __future__ import annotations

from briefgen.view.placeholders import fill, key, letter_texts, placeholders


def test_a_placeholder_is_a_name_normalised_as_the_headers_are() -> None:
    assert placeholders("As the Member for {Constituency},\nin {Province / Territory}: {{x}} {}") == [
        ("Constituency", 0), ("Province / Territory", 1), ("", 1)]
    assert [key(name) for name in ("Constituency", "riding", "district_name", "Province / Territory",
                                   "Committee Name")] == ["constituency", "constituency", "constituency",
                                                         "province", "committee_name"]


def test_a_value_prints_as_it_is_and_double_braces_as_braces() -> None:
    values = {"committee": "*Justice* & <b>Rights</b> [x](https://example.org) &amp; `code`"}
    filled = fill("On the {committee} committee {{as always}}.", values, "en")
    assert filled == ("On the \\*Justice\\* \\& \\<b\\>Rights\\<\\/b\\> \\[x\\]\\(https\\:\\/\\/example\\.org\\) "
                      "\\&amp\\; \\`code\\` committee {as always}.")
    letter = {"opening": "On the {committee} committee {{as always}}.", "body": None}
    letter_texts(letter, {"fields": values}, "en")
    assert letter["opening_html"] == ('<p data-per-recipient="">On the *Justice* &amp; &lt;b&gt;Rights&lt;/b&gt; '
                                      "[x](https://example.org) &amp;amp; `code` committee {as always}.</p>\n")


def test_only_the_blocks_holding_a_placeholder_are_marked_per_recipient() -> None:
    letter = {"body": "First paragraph.\n\n- one\n- two for {constituency}\n\nLast {{paragraph}}.",
              "opening": "We write."}
    letter_texts(letter, {"fields": {"constituency": "Gatineau"}}, "fr")
    assert letter["body_html"] == ("<p>First paragraph.</p>\n<ul data-per-recipient=\"\">\n<li>one</li>\n"
                                   "<li>two for Gatineau</li>\n</ul>\n<p>Last {paragraph}.</p>\n")
    assert letter["opening_html"] == "<p>We write.</p>\n"


def test_the_letter_to_its_own_addressee_takes_its_fields_and_marks_the_others() -> None:
    letter = {"to": {"name": "The Right Honourable Test Principal", "title": "Prime Minister", "address": []},
              "salutation": "Dear Prime Minister,", "opening": "{salutation} {name}, {title}, for {constituency}.",
              "body": None}
    letter_texts(letter, None, "en")
    assert letter["opening_html"] == ("<p>Dear Prime Minister, The Right Honourable Test Principal, Prime Minister, "
                                      "for [constituency].</p>\n")
