"""What the fork server of the reviews loads before forking any of them (bot/app/isolation.py).

Each review runs in a child forked from that server, and inherits everything loaded here: the review's
modules, and the templates already compiled (compiling them took over half of each child's CPU time in
the scale test).
"""

from xml.parsers import expat

from bot import production, review
from bot.app import tasks
from bot.render import formats

formats.compile_templates()
# Loaded on the first XML read (a Liquibase changelog, a seed file): mapped after the child's memory limit,
# its shared object can fail to load at all (an ImportError, not a MemoryError, where the limit is near).
expat.ParserCreate()

__all__ = ["production", "review", "tasks"]
