"""The code a change removes or moves off a name, which the release still running during the deploy executes.

A pull request that removes a model field (or a table's model) and drops its column in the same deploy
leaves a window in which the old release, still serving, queries what the migration has already removed:
the rules that judge a drop or a rename name those places and make the finding a warning at least.
"""

from __future__ import annotations

from bot.references.prisma_models import remapped
from bot.references.search import Target
from bot.references.usage import Use
from bot.rules.context import Context


def removed_places(context: Context, target: Target) -> str:
    """The first places of production code this change deletes that used `target` (`path:line`, joined), or
    "" when it deletes none (tests and docs never run in production)."""
    removed = [u for u in context.references.removed_uses(target) if u.area not in ("test", "doc")]
    return ", ".join(f"`{u.path}:{u.line}`" for u in removed[:3])


def prisma_moved(context: Context, target: Target) -> str:
    """The Prisma model (`User`) or field (`User.email`) this change maps to the target's new name
    (`@@map("users")`, `@map("email_address")`), or "": its client's queries follow the new name, and only the
    release still running during the deploy queries the old one."""
    if context.base_tree is None or not target.new_name:
        return ""
    if target.kind == "table":
        return remapped(context.base_tree, context.tree, "", target.table, target.new_name)
    if target.kind == "column":
        return remapped(context.base_tree, context.tree, target.table, target.name, target.new_name)
    return ""


def past_the_client(uses: tuple[Use, ...]) -> tuple[Use, ...]:
    """The uses a Prisma model's new mapping does not carry over: raw SQL and the database's own code."""
    return tuple(u for u in uses if u.area in ("raw-sql", "database"))
