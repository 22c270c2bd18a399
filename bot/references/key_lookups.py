"""Calls of the code that find their row by a unique key before they write, and the fields they find it by.

Prisma's `prisma.member.upsert({ where: { userId_orgId: { userId, orgId } }, … })` (a compound unique key, under
the name Prisma generates for `@@unique([userId, orgId])` or the one its `name:` gives) and `where: { email }` (a
field declared `@unique`); Django's `Member.objects.get_or_create(user_id=…, org_id=…, defaults=…)` and
`update_or_create(…)`; Rails' `Member.find_or_create_by(user_id: …, org_id: …)` and `create_or_find_by(…)`;
Laravel's `Member::firstOrCreate(['user_id' => …, 'org_id' => …], […])`, `updateOrCreate`, the query builder's
`updateOrInsert`, and `upsert($rows, ['user_id', 'org_id'], […])`, whose second argument is its conflict target.
A call whose lookup the text does not spell out (`**lookup`, `...where`, a variable) gives no fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.references.brackets import closing_bracket

# `receiver.method(`: the receiver is the word before the method (Prisma's delegate `member`, Django's model
# `Member` before `.objects`, Rails' model `Member`)
_CALL = re.compile(
    r"\b(\w+)(?:\.objects)?\s*\.\s*"
    r"(upsert|get_or_create|update_or_create|find_or_create_by!?|create_or_find_by!?)\s*\("
)
# Laravel's Eloquent and query builder: `User::firstOrCreate(['email' => $email], […])`, `User::query()->
# updateOrCreate(…)`, `User::upsert($rows, ['email'], […])`, `DB::table('users')->updateOrInsert(…)`; the receiver is
# the model class, or the table the builder names
_PHP_CALL = re.compile(
    r"(?:\b([A-Z]\w*)::(?:query\(\)\s*->\s*)?|\bDB::table\(\s*['\"](\w+)['\"]\s*\)\s*->\s*)"
    r"(firstOrCreate|updateOrCreate|updateOrInsert|upsert)\s*\("
)
# arguments that are not part of the lookup: Django's `defaults=`/`create_defaults=`
_NOT_LOOKUP = frozenset({"defaults", "create_defaults"})
_KEY = re.compile(r"""^\s*(?:["']?(\w+)["']?\s*:(?!:)|:(\w+)\s*=>|["'](\w+)["']\s*=>)""")
_KWARG = re.compile(r"^\s*(\w+)\s*=(?!=)")
_LONGEST = 4000  # characters a call's arguments may span


@dataclass(frozen=True)
class Lookup:
    """One call that finds its row by `fields` (as the code names them) before it writes."""

    # "prisma": Prisma's upsert, which takes a unique key only; "create_or_find": Rails' create_or_find_by, which
    # inserts and finds the row when the key refuses the insert; "get-or-create": finds, then creates when it
    # found nothing (safe under concurrency only with the key)
    kind: str
    receiver: str  # the word the method is called on: Prisma's delegate, the model class
    fields: frozenset[str]
    start: int  # offset of the call in the text
    end: int  # offset of the end of its arguments


def key_lookups(text: str) -> Iterator[Lookup]:
    """Each call of the text that finds its row by fields it spells out."""
    for call in _CALL.finditer(text):
        method = call.group(2).rstrip("!")
        arguments = _enclosed(text, call.end() - 1)
        if arguments is None:
            continue
        if method == "upsert":
            fields = _prisma_where(arguments)
            kind = "prisma"
        elif method in ("get_or_create", "update_or_create"):
            fields = _keywords(arguments)
            kind = "get-or-create"
        else:
            fields = _hash_keys(arguments)
            kind = "create_or_find" if method == "create_or_find_by" else "get-or-create"
        if fields:
            yield Lookup(kind, call.group(1), fields, call.start(), call.end() + len(arguments))
    if "::" in text:
        yield from _laravel_lookups(text)


def _laravel_lookups(text: str) -> Iterator[Lookup]:
    """Laravel's calls (see `_PHP_CALL`): a get-or-create finds its row by the keys of its first array, an
    upsert by the columns of its second argument (its `uniqueBy`, the conflict target)."""
    for call in _PHP_CALL.finditer(text):
        arguments = _enclosed(text, call.end() - 1)
        if arguments is None:
            continue
        parts = _top_level(arguments)
        if call.group(3) == "upsert":
            fields = _php_strings(parts[1]) if len(parts) > 1 else frozenset()
            kind = "conflict"
        else:
            fields = _php_keys(parts[0]) if parts else frozenset()
            kind = "get-or-create"
        if fields:
            receiver = call.group(1) or call.group(2)
            yield Lookup(kind, receiver, fields, call.start(), call.end() + len(arguments))


def _php_keys(argument: str) -> frozenset[str]:
    """The keys of a PHP array literal (`['user_id' => $id, 'email' => $email]`); none for anything else."""
    argument = argument.strip()
    if not (argument.startswith("[") and argument.endswith("]")):
        return frozenset()
    keys = _entries(argument[1:-1])
    if keys is None or "" in keys.values():
        return frozenset()
    return frozenset(keys)


def _php_strings(argument: str) -> frozenset[str]:
    """The column names an array of strings or one string gives (`['email']`, `'email'`); none otherwise."""
    argument = argument.strip()
    if argument.startswith("[") and argument.endswith("]"):
        parts = _top_level(argument[1:-1])
    else:
        parts = [argument]
    names = [re.fullmatch(r"\s*['\"](\w+)['\"]\s*", part) for part in parts]
    if not names or None in names:
        return frozenset()
    return frozenset(m.group(1) for m in names if m is not None)


def _enclosed(text: str, start: int) -> str | None:
    """The text inside the bracket at `start` up to the one that closes it (strings skipped), or None when it
    does not close within `_LONGEST` characters."""
    close = closing_bracket(text, start, _LONGEST)
    return text[start + 1 : close] if close >= 0 else None


def _top_level(text: str) -> list[str]:
    """`text` cut at the commas outside brackets and strings."""
    parts, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(text):
        if quote:
            if char == quote and text[i - 1] != "\\":
                quote = ""
        elif char in "'\"`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [p for p in (*parts, text[start:]) if p.strip()]


def _entries(obj: str) -> dict[str, str] | None:
    """The keys of an object literal's text (without its braces) and their values ("" for a shorthand
    `{ email }`); None when an entry is no plain key (a spread, a computed key)."""
    found: dict[str, str] = {}
    for part in _top_level(obj):
        key = _KEY.match(part)
        if key is not None:
            found[next(g for g in key.groups() if g)] = part[key.end() :].strip()
        elif re.fullmatch(r"\s*\w+\s*", part):
            found[part.strip()] = ""  # JavaScript's shorthand `{ email }`; in Ruby, a variable
        else:
            return None
    return found


def _prisma_where(arguments: str) -> frozenset[str]:
    """The fields of a Prisma upsert's `where`: its keys, or the fields of the one compound key it names
    (`{ userId_orgId: { userId, orgId } }`)."""
    argument = arguments.strip()
    if not argument.startswith("{"):
        return frozenset()
    outer = [m for part in _top_level(argument[1:-1]) if (m := re.match(r"\s*where\s*:", part))]
    where = outer[0].string[outer[0].end() :].strip() if outer else ""
    if not where.startswith("{") or not where.endswith("}"):
        return frozenset()
    keys = _entries(where[1:-1])
    if not keys:
        return frozenset()
    if len(keys) == 1:
        (value,) = keys.values()
        inner = _entries(value[1:-1]) if value.startswith("{") and value.endswith("}") else None
        if inner:
            return frozenset(inner)
    return frozenset(keys)


def _keywords(arguments: str) -> frozenset[str]:
    """The lookup of a Django call: its keyword arguments but `defaults=`; none when it passes anything else
    (`**lookup`, a `Q(…)`)."""
    names = set()
    for part in _top_level(arguments):
        keyword = _KWARG.match(part)
        if keyword is None:
            return frozenset()
        names.add(keyword.group(1))
    return frozenset(names - _NOT_LOOKUP)


def _hash_keys(arguments: str) -> frozenset[str]:
    """The lookup of a Rails call: the keys of its hash (`user_id: …`, `:user_id => …`, braces or not)."""
    argument = arguments.strip()
    if argument.startswith("{") and argument.endswith("}"):
        argument = argument[1:-1]
    keys = _entries(argument)
    if keys is None or "" in keys.values():  # a bare word is a variable holding the lookup, not a key
        return frozenset()
    return frozenset(keys)
