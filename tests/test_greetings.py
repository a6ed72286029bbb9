"""Salutations and closings of a mail merge (``briefgen.prepare.greetings``): the recipient's own,
else built from the courtesy title and last name, else neutral, in English and in Canadian French,
and the French closing that repeats the salutation.
"""

from __future__ import annotations

import pytest

from briefgen.load.recipients import Recipient
from briefgen.prepare.greetings import Built, built_salutations_warning, greeting

FR_CLOSING = "Veuillez agréer, {}, l’expression de nos sentiments distingués."


@pytest.mark.parametrize(("recipient", "english", "french", "built"), [
    (Recipient("Ann Smith", "a@example.org", salutation="Dear Colleague,"), "Dear Colleague,", "Dear Colleague,",
     Built.GIVEN),
    (Recipient("Ann Smith", "a@example.org", title="Member of Parliament", honorific="Ms.", last_name="Smith"),
     "Dear Ms. Smith,", "Madame la Députée,", Built.HONORIFIC),
    (Recipient("Luc Roy", "l@example.org", title="Député", honorific="M.", last_name="Roy"),
     "Dear Mr. Roy,", "Monsieur le Député,", Built.HONORIFIC),
    (Recipient("Ann Smith", "a@example.org", title="Senator", honorific="Mrs", last_name="Smith"),
     "Dear Mrs Smith,", "Madame la Sénatrice,", Built.HONORIFIC),
    (Recipient("Luc Roy", "l@example.org", honorific="Mr.", last_name="Roy"), "Dear Mr. Roy,", "Monsieur,",
     Built.HONORIFIC),
    (Recipient("Ann Smith", "a@example.org", title="MP", honorific="Hon.", last_name="Smith"),
     "Dear Member of Parliament,", "Madame, Monsieur,", Built.NEUTRAL),
    (Recipient("Ann Smith", "a@example.org", title="Sénatrice"), "Dear Senator,", "Madame, Monsieur,",
     Built.NEUTRAL),
    (Recipient("Ann Smith", "a@example.org"), "Dear Ann Smith,", "Madame, Monsieur,", Built.NEUTRAL),
], ids=["given", "ms-mp", "m-depute", "mrs-senator", "mr-no-title", "hon-mp", "senatrice", "nothing"])
def test_each_salutation_and_closing_in_english_and_french(recipient, english, french, built) -> None:
    assert greeting(recipient, "en") == greeting(recipient, "en").__class__(english, None, built)
    found = greeting(recipient, "fr")
    assert (found.salutation, found.built) == (french, built)
    # The French closing repeats the salutation without its comma.
    assert found.closing == FR_CLOSING.format(french.removesuffix(","))


def test_the_built_salutations_are_warned_once_with_their_rows() -> None:
    people = [Recipient("A", "a@example.org", honorific="Ms.", last_name="A", line=2),
              Recipient("B", "b@example.org", honorific="Mr.", last_name="B", line=3),
              Recipient("C", "c@example.org", salutation="Dear C,", line=4),
              Recipient("D", "d@example.org", line=5),
              Recipient("E", "e@example.org", honorific="Mme", last_name="E", line=6)]
    found = [greeting(person, "en") for person in people]
    assert built_salutations_warning(people, found) == (
        "warning: 4 recipients have no salutation, so one is built (from the courtesy title on lines 2-3, 6; "
        "neutral on line 5); write one in a salutation column to choose it")
    assert built_salutations_warning(people[2:3], found[2:3]) is None
