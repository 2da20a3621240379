"""One module per command (or family of commands): each adds its parser and runs it."""
