"""Layer 4, the advice: recommendations and the reasoning beside them (ranges, questions,
what-if, why-not, path-to, fit, robustness, considerations, teams, batches, rules diff).

Results ask ``presenters`` for their words, so this layer never imports the one above.
"""
