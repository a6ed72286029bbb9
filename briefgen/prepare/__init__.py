"""Prepare: what every command needs before anything is rendered, found once.

:mod:`~briefgen.prepare.brief` reads and validates the brief, chooses the languages to
render and reports the texts missing in them; :mod:`~briefgen.prepare.glyphs` checks that
an installed font covers every character; :mod:`~briefgen.prepare.letters` adds the
recipients, the language of each one's letter and the sender of the e-mails. The result is
plain data, which ``build``, ``letters``, ``serve`` and ``validate`` all start from.
"""
