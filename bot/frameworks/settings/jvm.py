"""Spring `application.properties`/`.yml`, Flyway and Liquibase settings, Hibernate, and Maven/Gradle drivers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from bot.frameworks.settings.found import DRIVER, TOOL, Found, dialect_of, found, single, uncomment

_JDBC = re.compile(r"jdbc:(postgresql|mysql|mariadb|sqlite|tc:postgresql|tc:mysql|tc:mariadb)\b")
_SETTINGS = re.compile(
    r"(^|/)(application[\w-]*\.(properties|ya?ml)|flyway[\w-]*\.(conf|properties|toml)|"
    r"liquibase[\w-]*\.properties|hibernate\.cfg\.xml|persistence\.xml)$"
)
_ARTIFACTS = (
    ("org.postgresql", "postgres"), ("flyway-database-postgresql", "postgres"),
    ("mysql-connector", "mysql"), ("flyway-mysql", "mysql"), ("mariadb-java-client", "mariadb"),
    ("sqlite-jdbc", "sqlite"),
)  # fmt: skip
_XML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def settings(path: str, text: str) -> Iterator[Found]:
    text = _XML_COMMENT.sub("", uncomment(text))
    items = [
        found(path, dialect_of(m.group(1).removeprefix("tc:")) or "postgres", f"`jdbc:{m.group(1)}:`", TOOL)
        for m in _JDBC.finditer(text)
    ]
    module = path.split("src/", 1)[0] if path.startswith("src/") or "/src/" in path else None
    yield from (replace(f, scope=module) if module is not None else f for f in single(items)[:1])


def build_file(path: str, text: str) -> Iterator[Found]:
    text = _XML_COMMENT.sub("", uncomment(text))
    items = [
        found(path, dialect, f"depends on `{name}`", DRIVER, language="jvm")
        for name, dialect in _ARTIFACTS
        if name in text
    ]
    yield from single(items)[:1]


READERS = (
    (lambda p: bool(_SETTINGS.search(p)), settings),
    (lambda p: p.endswith(("pom.xml", "build.gradle", "build.gradle.kts")), build_file),
)
