"""briefgen: turn a YAML brief for a state visit into briefing packs and letters in PDF and Word."""

__version__ = "0.1.0"
