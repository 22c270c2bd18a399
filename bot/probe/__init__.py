"""The production probe: the only code that connects to a user's database, read-only and time-limited.

`questions` (pure) says what a change needs to know, `run` asks it through `session` and `answers`,
`facts` holds what came back, and `production.verify` strings the three together for the command line
and the app. The review reads the facts and stays pure. See docs/probe.md.
"""
