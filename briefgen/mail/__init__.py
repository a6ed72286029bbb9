"""E-mail: the draft of each personalised letter, and its delivery.

:mod:`briefgen.mail.drafts` builds each ``.eml`` (``briefgen letters`` renders the letters:
:mod:`briefgen.commands.letters`), writing the headers with names and the subject through
:mod:`briefgen.mail.headers`; :mod:`briefgen.mail.outbox` records each draft's envelope;
:mod:`briefgen.mail.send` delivers the drafts over SMTP with the envelopes of the outbox and
the journal of :mod:`briefgen.mail.journal`, so that nobody is sent the letter twice.
"""
