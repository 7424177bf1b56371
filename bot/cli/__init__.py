"""The command line, `python -m bot <command>`: imports everything; nothing imports it."""
