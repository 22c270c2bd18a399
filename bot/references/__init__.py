"""The code-reference search: the places in the head tree that still use what a change removes or renames
(tree scan, word finder, path patterns, code syntax readers, the model map, usage, blast radius) and the
values the code defines for a column (code values). Imports `bot.model`, `bot.sql`, `bot.frameworks`.
"""
