r"""The properties a Doctrine entity maps to a column: dropping the column while the entity still maps it fails
every query that loads the entity, whatever the code does with the property.

A property is mapped by an XML mapping's `<field name="legacyCode" column="legacy_code"/>`, or by an attribute (`#[ORM\Column(name: 'legacy_code')]`, `#[ORM\Column]`) or a docblock
annotation (`@ORM\Column(name="legacy_code")`) before it. Without a `name`, the column is named after the
property: as it is (Doctrine's default naming strategy) or in snake case (Symfony's `underscore_number_aware`,
which its recipes configure): `$shippingNote` maps `shipping_note`. Only the entities mapped to the dropped
column's table are read (their class and file come from `#[ORM\Table(name: …)]` or the table's model name),
so another entity's property of the same name (`Shipment::$shippingNote`) is not counted.
"""

from __future__ import annotations

import re

from bot.references.inflection import underscore

# an ORM column attribute or annotation, then (past other attributes, the docblock's end, modifiers and a type)
# the property it maps
_MAPPED = re.compile(
    r"(?:#\[|@)ORM\\(?:Column|Id)\b(?P<args>\((?:[^()]|\([^()]*\))*\))?(?P<between>[^$;{}]*?)\$(?P<property>\w+)"
)
_NAME = re.compile(r"\bname\s*[:=]\s*['\"]`?(\w+)`?['\"]")


# an XML mapping's field (`<field name="shippingNote" column="shipping_note" …/>`), its attributes in any order
_XML_FIELD = re.compile(r"<(?:field|id)\b[^>]*>")
_XML_ATTRIBUTE = re.compile(r"([\w-]+)\s*=\s*[\"']([^\"']*)[\"']")


def mapped_properties(text: str, column: str) -> list[tuple[int, str]]:
    """(line, property) of each property of an entity's file (PHP, or a `*.orm.xml` mapping) that maps `column`."""
    found: list[tuple[int, str]] = []
    wanted = column.lower()
    if "<doctrine-mapping" in text:
        for field in _XML_FIELD.finditer(text):
            attributes = dict(_XML_ATTRIBUTE.findall(field.group()))
            prop = attributes.get("name", "")
            named = attributes.get("column", "").strip('`"')
            if prop and wanted in ({named.lower()} if named else {prop.lower(), underscore(prop).lower()}):
                found.append((text.count("\n", 0, field.start()) + 1, prop))
        return found
    if "ORM\\" not in text:
        return []
    for match in _MAPPED.finditer(text):
        if "function" in match.group("between"):
            continue  # an attribute of a method, and a parameter after it
        named = _NAME.search(match.group("args") or "")
        prop = match.group("property")
        names = {named.group(1).lower()} if named else {prop.lower(), underscore(prop).lower()}
        if wanted in names:
            found.append((text.count("\n", 0, match.start("property")) + 1, prop))
    return found
