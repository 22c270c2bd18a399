"""English inflection for table and model names, as ORMs derive one from the other.

Rails maps the model `OrderItem` to the table `order_items`; Django maps `shop.OrderItem` to
`shop_orderitem`; Prisma and TypeScript code use `orderItem` for a column or model named `order_item`.
The rules here are the common ones, not a dictionary: good enough to find a model by its table.
"""

from __future__ import annotations

import functools
import re

_IRREGULAR = {
    "person": "people",
    "man": "men",
    "woman": "women",
    "child": "children",
    "mouse": "mice",
    "goose": "geese",
    "foot": "feet",
    "tooth": "teeth",
}
_UNCOUNTABLE = frozenset({"equipment", "information", "rice", "money", "species", "series", "news", "data"})
_SINGULAR_RULES = (
    (re.compile(r"(quiz)zes$"), r"\1"),
    (re.compile(r"(matri|vert|ind)ices$"), r"\1ix"),
    (re.compile(r"(alias|status|bus|address|process|access|class)es$"), r"\1"),
    (re.compile(r"(octop|vir)i$"), r"\1us"),
    (re.compile(r"(cris|ax|test)es$"), r"\1is"),
    (re.compile(r"(shoe)s$"), r"\1"),
    (re.compile(r"(o)es$"), r"\1"),
    (re.compile(r"([m|l])ice$"), r"\1ouse"),
    (re.compile(r"(x|ch|ss|sh|zz)es$"), r"\1"),
    (re.compile(r"(m)ovies$"), r"\1ovie"),
    (re.compile(r"([^aeiouy]|qu)ies$"), r"\1y"),
    (re.compile(r"([lr])ves$"), r"\1f"),
    (re.compile(r"(tive)s$"), r"\1"),
    (re.compile(r"(hive)s$"), r"\1"),
    (re.compile(r"([^f])ves$"), r"\1fe"),
    (re.compile(r"(analy|ba|diagno|parenthe|progno|synop|the)ses$"), r"\1sis"),
    (re.compile(r"([ti])a$"), r"\1um"),
    (re.compile(r"(ss)$"), r"\1"),
    (re.compile(r"(us)$"), r"\1"),
    (re.compile(r"s$"), ""),
)
_PLURAL_RULES = (
    (re.compile(r"(quiz)$"), r"\1zes"),
    (re.compile(r"(matr|vert|ind)(?:ix|ex)$"), r"\1ices"),
    (re.compile(r"(x|ch|ss|sh|zz)$"), r"\1es"),
    (re.compile(r"([^aeiouy]|qu)y$"), r"\1ies"),
    (re.compile(r"(?:([^f])fe|([lr])f)$"), r"\1\2ves"),
    (re.compile(r"sis$"), "ses"),
    (re.compile(r"(buffal|tomat)o$"), r"\1oes"),
    (re.compile(r"(bu|statu|alia)s$"), r"\1ses"),
    (re.compile(r"s$"), "s"),
    (re.compile(r"$"), "s"),
)


def _inflect_last(
    word: str, table: tuple[tuple[re.Pattern[str], str], ...], irregular: dict[str, str]
) -> str:
    head, _, last = word.rpartition("_")
    prefix = f"{head}_" if head else ""
    if last in _UNCOUNTABLE or not last:
        return word
    if last in irregular:
        return prefix + irregular[last]
    for pattern, replacement in table:
        if pattern.search(last):
            return prefix + pattern.sub(replacement, last, count=1)
    return word


_SINGULAR_IRREGULAR = {v: k for k, v in _IRREGULAR.items()}


# The same few table and column names are asked for thousands of times in a review (a lint of 300 files:
# 5,000 calls, 97,000 pattern searches): each answer is kept.
@functools.lru_cache(maxsize=8192)
def singularize(word: str) -> str:
    """`order_items` → `order_item`, `categories` → `category`, `people` → `person`."""
    return _inflect_last(word, _SINGULAR_RULES, _SINGULAR_IRREGULAR)


@functools.lru_cache(maxsize=8192)
def pluralize(word: str) -> str:
    """`order_item` → `order_items`, `category` → `categories`."""
    return _inflect_last(word, _PLURAL_RULES, _IRREGULAR)


def camelize(snake: str, *, upper: bool = True) -> str:
    """`order_item` → `OrderItem` (or `orderItem` with upper=False)."""
    parts = [p for p in snake.split("_") if p]
    if not parts:
        return snake
    words = [p[:1].upper() + p[1:] for p in parts]
    if not upper:
        words[0] = parts[0]
    return "".join(words)


_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def name_words(name: str) -> list[str]:
    """The words of an identifier, lower-cased, in order: `timeout_ms`, `priceCents`, `isActive2` →
    [timeout, ms], [price, cents], [is, active, 2]."""
    return [word.lower() for word in _NAME_WORDS.findall(name)]


@functools.lru_cache(maxsize=4096)
def underscore(camel: str) -> str:
    """`OrderItem` → `order_item`, `HTTPRequest` → `http_request`."""
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", camel)
    return re.sub(r"([a-z\d])([A-Z])", r"\1_\2", text).lower()


def model_name(table: str) -> str:
    """The class name Rails gives the model of `table` by convention: `order_items` → `OrderItem`."""
    return camelize(singularize(table))


# Go's initialisms, written in capitals in Go names (`UserID`, `APIKey`, `HTTPStatus`).
_INITIALISMS = frozenset(
    [
        "acl",
        "api",
        "ascii",
        "cpu",
        "css",
        "dns",
        "eof",
        "guid",
        "html",
        "http",
        "https",
        "id",
        "ip",
        "json",
        "qps",
        "ram",
        "rpc",
        "sla",
        "smtp",
        "sql",
        "ssh",
        "tcp",
        "tls",
        "ttl",
        "udp",
        "ui",
        "uid",
        "uuid",
        "uri",
        "url",
        "utf8",
        "vm",
        "xml",
        "xmpp",
        "xsrf",
        "xss",
    ]
)


def go_name(snake: str) -> str:
    """`user_id` → `UserID`, `api_key` → `APIKey`: the Pascal case Go code and GORM give a snake_case name."""
    parts = [p for p in snake.split("_") if p]
    return "".join(p.upper() if p.lower() in _INITIALISMS else p[:1].upper() + p[1:] for p in parts)
