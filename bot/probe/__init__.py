"""The production probe: the only code that connects to a user's database, read-only and time-limited.

`questions` (pure) says what a change needs to know, `run` asks it through `session` and `answers`,
what came back is `bot.model.facts`; `bot.production.verify` strings them together for the command line
and the app. The review reads the facts and stays pure. Imports `bot.model`, `bot.sql`, `bot.frameworks`
and `bot.references`. See docs/probe.md.
"""
