"""Presentation: results in words, as plain text, Markdown and HTML.

Every renderer is a function of (result, analysis); ``notebook`` adds the notebook's
conveniences on top of the plain result. The team renderers are reached by the
team result's display hook (``_advice.presenters``).
"""

from .team_render import explain_team, team_html, team_html_document, team_markdown

__all__ = ["explain_team", "team_html", "team_html_document", "team_markdown"]
