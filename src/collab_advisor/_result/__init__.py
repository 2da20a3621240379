"""The advice as plain data: ``recommend()`` and the records it returns.

Everything here is stored data with cheap accessors. The reasoning about a result
(ranges, settledness, next questions, robustness, what-if...) lives a floor above, in
``_advice``, and the words in ``_present``; nothing here imports either.
"""
