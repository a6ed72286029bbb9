"""Letters at scale: a personalised letter and an e-mail draft per recipient, and their delivery.

:mod:`briefgen.mail.merge` renders the letters and drafts (the API ``briefgen letters``
calls), :mod:`briefgen.mail.drafts` builds each ``.eml``, and :mod:`briefgen.mail.send`
delivers the drafts over SMTP with a journal, so that no draft is ever sent twice.
"""
