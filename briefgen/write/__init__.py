"""Writing: putting finished documents into the output folder."""
