"""Whose attribute a Ruby name is: the object the chain in front of it ends with.

`comment.author_signature`, `comment&.author_signature`, `comment.try(:author_signature)` and
`comment[:author_signature]` read the comment's own column. `comment.signature.try(:author_signature)`,
`comment.signature&.author_signature` and `comment.signature.author_signature` read the attribute of what
`comment.signature` returns: a row of the association's model (diaspora's `comment_signatures`), another
table. Methods that return the row itself (`comment.reload.author_signature`) or a row of a collection
(`post.comments.first.author_signature`) keep it the comment's; `comment.errors[:author_signature]` is no
other model's either.
"""

from __future__ import annotations

import re

# The chain of names in front of a member read: `a.b&.c.` / `a.b.try(:` / `a.b.public_send(:` / `a.b[:`
_MEMBER = re.compile(
    r"((?:@{0,2}\w+[!?]?\s*&?\.\s*)*@{0,2}\w+[!?]?)\s*"
    r"(?:&?\.\s*(?:try!?|public_send|send|read_attribute)\s*\(?\s*[:\"']|\[\s*[:\"']|&?\.)$"
)
# Calls that return the receiver itself (or a copy of the same row), or a row of a collection (`comments.first`)
_SAME_ROW = frozenset(
    {"reload", "dup", "clone", "presence", "itself", "lock!", "decorate", "first", "last", "take", "sole"}
)
# What is keyed by the row's own attribute names (`comment.errors[:x]`, `comment.attributes["x"]`): no other
# model's member, and no read of the column either
_BY_ATTRIBUTE = frozenset({"errors", "attributes", "changes", "saved_changes", "previous_changes"})
# A row's name continued by a member that a further member is read from: `comment.signature.` / `&.` / `.try(`
_CHAINED = re.compile(r"\s*&?\.\s*(\w+[!?]?)\s*(?:&?\.|\[)")


def receivers(line: str, col: int) -> tuple[str, ...]:
    """The names of the chain whose member starts at `col` (`("comment", "signature")` for
    `comment.signature.try(:x)`), calls returning the same row left out; () when the name is read from no
    chain of plain names (`find(id).x`: the call's result is not named)."""
    found = _MEMBER.search(line[max(0, col - 200) : col])
    if found is None:
        return ()
    parts = [p.strip().lstrip("@") for p in re.split(r"&?\.", found.group(1))]
    if not all(parts):
        return ()
    if _BY_ATTRIBUTE.intersection(parts[1:]):
        return ()
    return tuple(parts[:1] + [p for p in parts[1:] if p not in _SAME_ROW])


def continued(text: str, end: int, own: frozenset[str]) -> bool:
    """Does the row's name ending at `end` go on to a member of something else (`comment.signature.x`,
    `comment.signature&.x`, `comment.signature.try(:x)`), that member not one of the row's own names
    (`own`: the column's spellings)?"""
    chained = _CHAINED.match(text, end)
    return chained is not None and chained.group(1) not in own | _SAME_ROW | _BY_ATTRIBUTE
