"""Text that is not code: a word there names no column, whatever it spells.

A comment, a translated string (`_("title")`, `t('url')`, `{% trans "tag" %}`, `msgid "title"`), the
name of a markup attribute (`<Item id="create" />`, `title="…"` on a line of JSX attributes), the text
between two tags (`<th>url</th>`) and an XML builder's element (`xml.title`, `SubElement(entry, "tag")`)
are left out of the code-reference search: they break nothing when a column goes away.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left

from bot.references.code_areas import is_comment

_MARKUP_FILE = re.compile(
    r"\.(?:[jt]sx|vue|svelte|astro|html?|erb|haml|slim|hbs|handlebars|mustache|jinja2?|j2|xml)$"
)
_OPEN_TAG = re.compile(r"<[A-Za-z][\w.:-]*(?:\s[^<>]*)?\s$")
_ATTRIBUTES_ONLY = re.compile(r"^\s*(?:[\w:@.-]+(?:=(?:\"[^\"]*\"|'[^']*'|\{[^{}]*\}))?\s+)*$")
_ATTRIBUTE_VALUE = re.compile(r"=[\"'{]")
_DECLARATION = re.compile(r"(?:^\s*|[;{(]\s*)(?:export\s+)?(?:const|let|var|let\s+mut)\s+$")
# A key named in a TypeScript utility type: `Omit<Field, 'id' | 'templateId'>` (checked when compiled)
_TYPE_KEY = re.compile(r"\b(?:Omit|Pick|Exclude|Extract)<[^<>;]*[\"'`]$")
_TRANSLATED = re.compile(
    r"(?:(?<![\w.])(?:_|_l|gettext\w*|ngettext\w*|pgettext\w*|t|__|trans|translate|i18n\.t|I18n\.t|I18n\.translate|\$t|msg)\(\s*"
    r"|(?<![\w.])(?:t|_|translate|I18n\.t|I18n\.translate)\s+(?=[\"'])"  # Ruby: t ".nearby users"
    r"|\b(?:msgid|msgstr|msgctxt|msgid_plural)\s+|\{%-?\s*(?:trans|blocktrans|translate)\s+)[\"'`][^\"'`]*$"
)
_TRANS_TAG = re.compile(
    r"<(?:Trans|FormattedMessage)\b[^<]*$|(?<![\w.])(?:msg|t|plural|i18n\._)`[^`]*$"  # tagged templates
    r"|\b(?:tags|label|title|description|summary|placeholder|alt|aria-label|tooltip|heading|subject|message)"
    r"\s*[:=]\s*\[?\s*[\"'`][^\"'`]*$"  # a label: words for people
)
# A label's keyword given a sentence: `extend_schema(description="Retrieve a specific work item")`.
_LABEL_KEY = re.compile(
    r"tags|label|title|description|summary|help_text|verbose_name|placeholder|tooltip|heading"
)
_PROSE_VALUE = re.compile(r"""\s*[:=]\s*(?:_\(\s*)?(?:"[^"\n]*\s[^"\n]*\s|'[^'\n]*\s[^'\n]*\s)""")
_ORM_WRITE = re.compile(
    r"\b(?:create|update|update_or_create|get_or_create|insert|build|new|save)\b|\.objects\b"
)
# Ruby: a translation key given as a symbol, `t(:status)`, `I18n.t :status`
_SYMBOL_TRANSLATED = re.compile(r"(?<![\w.])(?:t|translate|I18n\.t|I18n\.translate)(?:\(\s*|\s+):$")
# Objects that are never a row of a table: `response.status`, `request.url`, `err.code`
NOT_ROWS = frozenset(
    {"response", "res", "resp", "request", "req", "err", "error", "exception", "exc", "window", "document"}
    | {"location", "process", "os", "sys", "JSON", "json", "console", "Math", "http", "xhr", "fetch"}
    | {"parsedInput"}  # next-safe-action's parsed request input: `.action(async ({ parsedInput }) => …)`
    | {"input"}  # a tRPC procedure's or a GraphQL resolver's input: `.mutation(async ({ input }) => …)`
    | {
        "email",
        "mail",
        "msg",
        "message",
    }  # a sent e-mail's body and subject (a row of its own table excepted)
)
_XML_BUILDER = frozenset(("xml", "builder", "xm", "E", "maker"))
_XML_CALL = re.compile(
    r"\b(?:SubElement|Element|createElement|createElementNS|add_element|tag!)\s*\(\s*(?:\w+\s*,\s*)?[\"']$"
)
# Server-side templates (Django, Jinja, Handlebars, ERB): text between tags is prose for people.
_TEMPLATE_FILE = re.compile(r"\.(?:html?|hbs|handlebars|mustache|jinja2?|j2|erb)$")
_TEMPLATE_PARTS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|<%.*?%>|<[^<>]*>?")
_UNCLOSED_TAG = re.compile(r"<[A-Za-z%][^<>]*$|\{[{%][^}]*$")
_TEXT_NODE_BEFORE = re.compile(r">[^<>{}\"'=]*$")
_TEXT_NODE_AFTER = re.compile(r"^[^<>{}\"'=]*</")


# A word between slashes of a string, or before a file's extension there (`/${id}/avatar.png`), also in a
# regular expression's escaped slashes (`\/api\/avatar\/`); a parameter of a URL's query (`?orgId=…`).
_SEGMENT_END = re.compile(
    r"\\?/|[`'\"?#]|\.(?:png|jpe?g|gif|svg|webp|ico|json|xml|csv|pdf|html?|css|txt|ics)\b"
)
# A word right before a file's extension (`setup.py`, `_config.yml`), not a member read from an object
_FILE_EXTENSION = re.compile(
    r"\.(?:py|pyc|rb|js|mjs|ts|tsx|jsx|go|rs|java|php|ya?ml|json|toml|cfg|ini|conf|txt|md|rst|lock|sh|log"
    r"|html?|css|scss|png|jpe?g|gif|svg|pdf|csv|xml|zip|gz|tar|sql|env)(?![\w$(])"
)
_IN_STRING_AFTER_SLASH = re.compile(r"[`'\"][^`'\"]*/$")
_QUERY_VALUE = re.compile(r"=(?:\$\{|[\w%.-])")
_IN_STRING_AFTER_QUERY = re.compile(r"[`'\"][^`'\"\s]*[?&]$")
# A word glued to an interpolation of a string (`${prefix}title`, f"{prefix}title", "#{kind}url",
# `title${suffix}`, f"title{n}"): a fragment of a name the code builds, not the column.
_AFTER_PLACEHOLDER = re.compile(r"(?:\$|#)?\{[^{}\s]*\}$")
_BEFORE_PLACEHOLDER = re.compile(r"(?:\$|#)?\{[^{}\s]*\}")
_STRING_OPENED = re.compile(r"(?:^|[^\w\\])(?:[fFrRbB]{0,2})[`'\"]")
# The value of a markup attribute given in quotes, outside the template language's tags: `class="error"`,
# `id="commit_sha"`, `name="title"` of a page (an HTML or template file).
_HTML_FILE = re.compile(r"\.(?:html?|hbs|handlebars|mustache|jinja2?|j2|djhtml|erb)$")
_QUOTED_ATTRIBUTE = re.compile(
    r"<[A-Za-z][\w.:-]*\s(?:[^<>]*\s)?[\w:.@#*\[\]()-]+\s*=\s*(?:\"[^\"<>]*|'[^'<>]*)$"
)


# A dynamic segment of a file-system route (Next.js, SvelteKit, Nuxt): `/[channelId]`, `/[...slug]`, `/[[...slug]]`
_ROUTE_SEGMENT = re.compile(r"/\[{1,2}(?:\.\.\.)?$")


_QUOTES = ("'", '"', "`")
_RESERVED = re.compile(r"\s*reserved\b")
_KEBAB_BEFORE = re.compile(r"[A-Za-z\d]-$")
_KEBAB_AFTER = re.compile(r"-[A-Za-z\d]")


# A project's history of changes: a line naming a column there stays true after the column is gone.
_HISTORY_FILE = re.compile(
    r"(?:^|/)(?:CHANGELOG|CHANGES|HISTORY|RELEASE[-_]?NOTES|NEWS)(?:\.[\w.]+)?$|(?:^|/)change[-_]?logs?(?:\.d)?/"
    r"|(?:^|/)(?:release[-_]?notes|releases)/[^/]+\.(?:md|mdx|rst|txt|adoc)$",  # `docs/releases/5.2.md`
    re.I,
)


def not_code(path: str, line: str, col: int, end: int) -> bool:
    """Is line[col:end] a word of text rather than code (see the module's description)?"""
    if is_comment(line) or _history_file(path):
        return True
    before, after = line[:col], line[end:]
    if path.endswith(".proto") and _RESERVED.match(line):
        return True  # `reserved "content_id";`: the field is gone from the message, and may not come back
    if (before.endswith("-") and _KEBAB_BEFORE.search(before)) or (
        after[:1] == "-" and _KEBAB_AFTER.match(after)
    ):
        return True  # part of a kebab-case word: `modal-body`, `hc-ping-body`, a CSS class, a URL slug
    if _FILE_EXTENSION.match(after) and not re.search(r"[\w$)\]]\??\.$", before):
        return True  # a file's name: ``setup.py``, `_config.yml`, "error.log"
    # The patterns below end at the end of `before` (`$`) and are looked for from each of its characters: the
    # last character, or a quote anywhere before, that each needs is checked first (most places have neither).
    last = before[-1:]
    if last.isspace() and _DECLARATION.search(before) and not after.lstrip().startswith(":"):
        return True  # `const documentId = …`, `let url = …`: a local variable of that name
    quoted = "'" in before or '"' in before or "`" in before
    if (
        (quoted and _TRANSLATED.search(before))
        or ((quoted or "<" in before) and _TRANS_TAG.search(before))
        or (last == ":" and _SYMBOL_TRANSLATED.search(before))
    ):
        return True
    if last in _QUOTES and _TYPE_KEY.search(before):
        return True
    if last == "/" and _SEGMENT_END.match(after) and _IN_STRING_AFTER_SLASH.search(before):
        return True  # a segment of a URL or a path: `/pages/${pageId}/description/`, `/${id}/avatar.png`
    if after[:1] == "]" and _ROUTE_SEGMENT.search(before) and re.search(r"[`'\"][^`'\"]*$", before):
        return True  # a dynamic segment of a route's path: `"@/app/api/channels/[channelId]/route"`
    if _QUERY_VALUE.match(after) and _IN_STRING_AFTER_QUERY.search(before):
        return True  # a parameter of a URL's query: `avatar.png?orgId=${team.id}`, `&status=open`
    if _PROSE_VALUE.match(after) and _LABEL_KEY.fullmatch(line[col:end]) and not _ORM_WRITE.search(before):
        return True  # `description="Retrieve a work item"`: a text for people, given to docs or a schema
    if (last in ("'", '"') and _XML_CALL.search(before)) or _builder_element(before):
        return True
    if _interpolation_fragment(before, after):
        return True
    if not _MARKUP_FILE.search(path):
        return False
    if _HTML_FILE.search(path) and _markup_attribute_word(before):
        return True
    if _TEXT_NODE_BEFORE.search(before) and _TEXT_NODE_AFTER.match(after):
        return True
    if _TEMPLATE_FILE.search(path) and _template_text(line, col):
        return True
    if _TEMPLATE_FILE.search(path) and _in_template_tag(before):
        return (
            False  # `href="{{ article.google_profile }}"`: the template's code, inside an attribute's value
        )
    if not _ATTRIBUTE_VALUE.match(after):
        return False
    return bool(_OPEN_TAG.search(before) or _ATTRIBUTES_ONLY.match(before))


@functools.lru_cache(maxsize=4096)
def _history_file(path: str) -> bool:
    """Is the file a project's history of changes (asked for every word found in it)?"""
    return _HISTORY_FILE.search(path) is not None


def _interpolation_fragment(before: str, after: str) -> bool:
    """Is the word glued to an interpolation of a string around it (`${prefix}title`, `title${suffix}`):
    a piece of a name the code assembles?"""
    placeholder = _AFTER_PLACEHOLDER.search(before) if before.endswith("}") else None
    if placeholder is not None:
        opened = before[: placeholder.start()]
    elif _BEFORE_PLACEHOLDER.match(after) and not after.startswith("{{"):
        opened = before
    else:
        return False
    return _STRING_OPENED.search(opened) is not None


def _markup_attribute_word(before: str) -> bool:
    """Is the word inside a quoted value of a markup attribute (`<div class="error">`, `<p id="url">`),
    outside the template language's tags, and not read from an object (`v-if="build.error"`)?"""
    if before.endswith(".") or _in_template_tag(before):
        return False
    return _QUOTED_ATTRIBUTE.search(before) is not None


def _template_text(line: str, col: int) -> bool:
    """In a server-side template: a word of the text (outside tags and template tags), or a bare name
    inside `{{ … }}` / `{% … %}` (a variable of the template's context; a row's column is `ping.body`)."""
    for match in _TEMPLATE_PARTS.finditer(line):
        if match.start() <= col < match.end():
            if match.group(0).startswith("{"):
                return not line[:col].endswith((".", "'", '"'))
            return False  # inside an HTML tag: attributes are judged above
    return not _UNCLOSED_TAG.search(line[:col])


_TEMPLATE_CODE = re.compile(r"\{\{|\{%|<%")


def _in_template_tag(before: str) -> bool:
    """Is the end of `before` inside a `{{ … }}`, `{% … %}` or `<%= … %>` tag of a server-side template?"""
    opened = max(before.rfind("{{"), before.rfind("{%"), before.rfind("<%"))
    closed = max(before.rfind("}}"), before.rfind("%}"), before.rfind("%>"))
    return opened > closed


def _builder_element(before: str) -> bool:
    """`xml.title "…"`, `builder.tag!`: an element of a markup builder, not an attribute of a row."""
    if not before.endswith("."):
        return False
    name = re.search(r"(?<![\w.])(\w+)\.$", before)
    return bool(name and name.group(1) in _XML_BUILDER)


SQL_KEYWORDS = re.compile(r"\b(?:select|insert|update|delete|from|join|where|into|table)\b", re.I)
# A condition or an ordering of a query fragment (`where("legacy_status = ?")`, `order("position DESC")`).
_SQL_FRAGMENT = re.compile(
    r"(?:[=<>]|\b(?:i?like|in)\b)\s*(?:\?|:\w|\$\d|%s|%\(\w+\)s|\()|\bis\s+(?:not\s+)?null\b|\b(?:ASC|DESC)\b",
    re.I,
)


# A list of column names (PostgREST's and supabase-js' `select('id, name, owner:profiles(name)')`, a CSV header):
# lower-case names, each with an alias, an embed or a cast, separated by commas
_LIST_ITEM = r"(?:\w+:)?(?:[a-z_][\w.]*|\*)(?:\([^()]*\))?(?:::\w+)?"
_COLUMN_LIST = re.compile(rf"\s*{_LIST_ITEM}(?:\s*,\s*{_LIST_ITEM})+\s*")


def in_prose(line: str, col: int, end: int) -> bool:
    """Is line[col:end] inside a quoted sentence (`'Document not found'`) rather than a name or SQL?"""
    before = line[:col]
    for quote in "'\"`":
        if before.count(quote) % 2 == 1:
            start = before.rfind(quote) + 1
            if _interpolated(line, start, col):  # `"#{user.code}"`, `${row.status}`, `f"{user.email}"`
                return False
            stop = line.find(quote, end)
            content = line[start : stop if stop >= 0 else len(line)]
            return (
                " " in content.strip()
                and not _TEMPLATE_CODE.search(content)  # `href="{{ article.google_profile }}"`
                and not SQL_KEYWORDS.search(content)
                and not _SQL_FRAGMENT.search(content)
                and not _COLUMN_LIST.fullmatch(content)  # supabase-js' `.select('id, request_in_body')`
            )
    return False


def _interpolated(line: str, start: int, col: int) -> bool:
    """Is `col` inside an interpolation of the string that opens at `start`: Ruby, Elixir and CoffeeScript
    `#{…}`, JavaScript and Kotlin `${…}`, PHP `{$…}`, and the `{…}` of a Python f-string or a C# `$"…"`?"""
    inside = line[start:col]
    opened = max(inside.rfind("#{"), inside.rfind("${"), inside.rfind("{$"))
    if opened < 0 and start >= 2 and line[start - 2] in "fF$":
        opened = inside.rfind("{")
    return opened >= 0 and "}" not in inside[opened:]


# A SQL statement in a block of text: `SELECT … FROM`, `INSERT INTO`, `UPDATE x SET`, `DELETE FROM`, DDL.
SQL_STATEMENT = re.compile(
    r"\bselect\b[^;]*?\bfrom\b|\binsert\s+into\b|\bupdate\s+\S+\s+set\b|\bdelete\s+from\b"
    r"|\b(?:create|alter|drop)\s+(?:table|view|index|function|trigger)\b",
    re.I,
)


def is_object_key(line: str, col: int, end: int) -> bool:
    """A quoted key of an object or dict literal: `"created": …`, `'created': …`."""
    before, after = line[:col], line[end:]
    return (
        before.endswith(("'", '"'))
        and after[:1] == before[-1]
        and after[1:].lstrip().startswith(":")
        and not after[1:].lstrip().startswith("::")
    )


_SUBSCRIPT = re.compile(r"([A-Za-z_]\w*)(?:\(\))?\s*(?:\[|\.(?:get|pop|setdefault)\()\s*$")
_MEMBERSHIP = re.compile(r"\s+(?:not\s+)?in\s+(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*)\b(?!\s*[.(\[])")


def lookup_receiver(line: str, col: int, end: int) -> str | None:
    """The dict a quoted key is looked up in: `spec["subject"]`, `data.get("subject")`, `"subject" in
    spec` give `spec` / `data`; None when the quoted word is not such a key."""
    before, after = line[:col], line[end:]
    quote = before[-1:]
    if quote not in ("'", '"') or after[:1] != quote:
        return None
    subscript = _SUBSCRIPT.search(before[:-1])
    if subscript is not None and after[1:].lstrip()[:1] in ("]", ")", ","):
        return subscript.group(1)
    membership = _MEMBERSHIP.match(after[1:])
    return membership.group(1) if membership is not None else None


_BLOCK_HEADER = re.compile(r"^([ \t]*)(?:async\s+)?(def|class)\b", re.M)


def block_headers(text: str) -> list[tuple[int, int, bool]]:
    """(offset, indent, is a `def`) of each `def` and `class` line of a Python file, in order."""
    return [
        (m.start(), len(m.group(1).expandtabs()), m.group(2) == "def") for m in _BLOCK_HEADER.finditer(text)
    ]


_DEF_HEADER = re.compile(r"\s*(?:async\s+)?def\s+\w+\s*\([^)]*$")


def python_local(
    text: str,
    line_start: int,
    line: str,
    col: int,
    end: int,
    headers: list[tuple[int, int, bool]] | None = None,
) -> bool:
    """A bare name inside a Python function (`x, created = …`, `if created:`): a local variable; not an
    attribute (`.created`), a string, a keyword argument (`created=`) or a field of a class body.

    `headers`: `block_headers(text)`, computed once per file by a caller that asks about many lines."""
    before, after = line[:col], line[end:]
    if before.endswith((".", "'", '"', "`", "_")) or after.startswith(("__", "'", '"')):
        return False
    if _DEF_HEADER.match(before):
        return True  # a parameter: `def _match(subject, keywords):`
    if re.match(r"\s*=(?!=)", after) and before.count("(") > before.count(")"):
        return False  # a keyword argument: filter(created=…)
    if re.match(r"=(?!=)", after):
        return False  # a keyword argument written without spaces
    indent = len(line) - len(line.lstrip())
    found = headers if headers is not None else block_headers(text)
    for i in range(bisect_left(found, (line_start, -1, False)) - 1, -1, -1):
        if found[i][1] < indent:
            return found[i][2]
    return True  # module-level code: a bare name is a variable of the module (`legacy_title = "x"`)


_CONSTANT = re.compile(
    r"\s*(?::\s*[\w\[\]., |]+)?=\s*(?:[rRbBuUfF]{0,2}[\"']|-?\d|None\b|True\b|False\b|_\(\s*[\"'])"
)


def python_class_constant(
    text: str, line_start: int, line: str, col: int, end: int, headers: list[tuple[int, int, bool]]
) -> str | None:
    """The class whose body gives the name at line[col:end] a constant (`title = "Latest articles"`,
    `title: str = ""`), if the line is one: an attribute of that class, not a column of a model unless
    the class is the model."""
    if line[:col].strip() or _CONSTANT.match(line, end) is None:
        return None
    indent = len(line) - len(line.lstrip())
    for i in range(bisect_left(headers, (line_start, -1, False)) - 1, -1, -1):
        offset, level, is_def = headers[i]
        if level < indent:
            if is_def:
                return None
            named = re.match(r"\s*class\s+(\w+)", text[offset : offset + 200])
            return named.group(1) if named else None
    return None
