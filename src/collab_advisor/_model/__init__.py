"""Layer 1, the model: what an initiative's context is, field by field, and how values read.

Imports nothing of the layers above (rule book, engines, advice, presentation, command
line, web); ``tests/test_quality.py`` holds the import-linter contract that checks it.
"""
