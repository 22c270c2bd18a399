"""In JavaScript and TypeScript, the names of a request and of a response are the API's, not a model's.

A name taken out of a request (`const { title, url } = req.body`, `= await req.json()`, `= querySchema.parse(
req.query)`, or out of a variable given one: `const body = await request.json()`) is a field the client sent:
it reaches a table only where the code gives it, or the request itself, to a query on the model (`prisma.
bookmark.create({ data: { title } })`, `Bookmark.create(req.body)`), and that query is the place. A key of
the object a handler answers with (`res.json({ title: link.title })`, `NextResponse.json({ … })`, `return
json({ … })`, `JSON.stringify({ … })`) is a field of the API's output: the column is read where its value
comes from (`link.title`), not where the key names it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.references.script_members import ScriptShape

_PARSED = r"(?:[\w$.]+\.(?:parse|safeParse|parseAsync|safeParseAsync|validate|validateSync|cast)\s*\(\s*)?"
_REQUEST = re.compile(
    rf"(?:await\s+)?{_PARSED}(?:await\s+)?(?:"
    r"(?:req|request|ctx\.request|ctx|c\.req|event|context\.req)\s*\.\s*(?:body|query|params|json\s*\(|formData\s*\()"
    r"|(?:readBody|getQuery|readValidatedBody|getValidatedQuery)\s*\()"
)
# The call a response's object is given to: `res.json(`, `res.status(200).json(`, `NextResponse.json(`,
# `reply.send(`, `c.json(`, Remix's `json(`, `JSON.stringify(` (text, which no ORM reads as a row).
_RESPONSE = re.compile(
    r"(?:\b(?:res|resp|response|reply|ctx|c|h|NextResponse|Response)"
    r"(?:\s*\.\s*(?:status|code|header|type|set)\s*\([^()]*\))*\s*\.\s*(?:json|send|jsonp|render)"
    r"|\bJSON\.stringify|(?<![\w$.])json)\s*(?:<[^<>()]*>)?\s*$"
)


def request_source(shape: ScriptShape, pos: int) -> str | None:
    """The request a name at `pos` is taken out of (`req.body`, or `body` given `await req.json()`), or
    None when it is taken out of nothing or out of another value."""
    found = shape.destructured_from(pos)
    if found is None:
        return None
    value = found[0]
    if _REQUEST.match(value):
        request = re.match(r"(?:await\s+)?(?:[\w$.]+\.\w+\s*\(\s*)?(?:await\s+)?([\w$.]+)", value)
        return request.group(1) if request else value
    name = re.fullmatch(r"[\w$]+", value)
    if name and any(_REQUEST.match(given) for given in shape.assignments.get(value, ())):
        return value
    return None


def reaches_query(shape: ScriptShape, request: str, queried: Callable[[str], bool]) -> bool:
    """Does the file give `request` itself to a call `queried` says is a query on the model (`Bookmark.
    create(req.body)`, `prisma.bookmark.update({ data: body })`)?"""
    for found in re.finditer(rf"(?<![\w$.]){re.escape(request)}(?![\w$])", shape.text):
        _, heads = shape.enclosing(found.start())
        if any(queried(head) for head in heads):
            return True
    return False


def response_key(shape: ScriptShape, pos: int, queried: Callable[[str], bool]) -> bool:
    """Is the key at `pos` one of the object a handler answers with, not of one given to a query first
    (`res.json(await prisma.link.update({ data: { title } }))`)?"""
    _, heads = shape.enclosing(pos)
    for head in heads:
        if queried(head):
            return False
        if _RESPONSE.search(head):
            return True
    return False
