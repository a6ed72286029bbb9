"""Loading: YAML text to plain data plus the line and column of every key and item."""
