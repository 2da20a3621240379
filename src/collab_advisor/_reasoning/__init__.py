"""The reasoning floor's foundations: tables over groups of fields that every exact
analysis sums (settledness, score ranges, counts of completions). Above the plain result
and the engines, below the analyses in ``_advice``; it reads the compiled plan only."""
