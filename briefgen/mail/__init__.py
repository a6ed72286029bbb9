"""E-mail: the draft of each personalised letter, and its delivery.

:mod:`briefgen.mail.drafts` builds each ``.eml`` (``briefgen letters`` renders the letters:
:mod:`briefgen.commands.letters`), and :mod:`briefgen.mail.send` delivers the drafts over
SMTP with a journal, so that no draft is ever sent twice.
"""
