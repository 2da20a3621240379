"""Layer 2, the rule book: rule files read safely, validated, compiled and fingerprinted.

It knows the model below it and nothing of the engines that run the rules.
"""
