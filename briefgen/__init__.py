"""briefgen: turn a YAML brief for a state visit into briefing packs and letters in PDF and Word.

The library API, the same as the commands (docs/api.md)::

    import briefgen

    result = briefgen.build("brief.yaml", briefgen.BuildOptions(output_dir=Path("out"), languages="all"))
    report = briefgen.validate(["brief.yaml"])
    merged = briefgen.letters("brief.yaml", "mps.csv", briefgen.LetterOptions(docx=True))
    sent = briefgen.send(merged.folder, briefgen.SmtpOptions(host="smtp.example.org", port=587,
                                                             security="starttls"))

Each takes the options of its command as a typed object, returns a result object and
raises only the exceptions of :mod:`briefgen.errors`. The names are imported when first
used, so that ``import briefgen`` stays as quick as the command line's ``--help``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Each name of the API and the module it comes from.
_API = {
    "build": "briefgen.commands.build",
    "BuildOptions": "briefgen.commands.build",
    "BuildResult": "briefgen.commands.build",
    "letters": "briefgen.commands.letters",
    "LetterOptions": "briefgen.commands.letters",
    "LettersResult": "briefgen.commands.letters",
    "send": "briefgen.commands.send",
    "SmtpOptions": "briefgen.mail.send",
    "SendReport": "briefgen.mail.send",
    "validate": "briefgen.commands.validate",
    "ValidationResult": "briefgen.commands.validate",
}
__all__ = ["__version__", "build", "BuildOptions", "BuildResult", "letters", "LetterOptions", "LettersResult", "send",
           "SmtpOptions", "SendReport", "validate", "ValidationResult"]

if TYPE_CHECKING:
    from briefgen.commands.build import BuildOptions, BuildResult, build
    from briefgen.commands.letters import LetterOptions, LettersResult, letters
    from briefgen.commands.send import send
    from briefgen.commands.validate import ValidationResult, validate
    from briefgen.mail.send import SendReport, SmtpOptions


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'briefgen' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value
    return value
