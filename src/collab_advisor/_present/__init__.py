"""Layer 5, presentation: results in words, as plain text, Markdown and HTML.

Importing this package registers its renderings with the advice layer's presenters.
"""

from . import explain, render, team_render

__all__ = ["explain", "render", "team_render"]
