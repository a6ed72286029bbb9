"""The typed model of brief format v1 and its validation."""
