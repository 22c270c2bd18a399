"""`none-written-as-text`: a Django data migration's Python formats a field that may be None into text (an
f-string, `str()`) and stores the word 'None'."""

from __future__ import annotations

import pytest

from tests.rules.django_app import data_migration, model_of, review_migration

NAMES = [
    {"table": "people", "first": "first_name", "last": "last_name", "full": "full_name"},
    {"table": "authors", "first": "given", "last": "family", "full": "display_name"},
]


def _found(names: dict[str, str], value: str, *, nullable: bool = True, only: str = "") -> list[str]:
    model = model_of(names["table"])
    forwards = (
        f"for row in {model}.objects.filter({names['full']}__isnull=True{only}):\n"
        f"        row.{names['full']} = {value.format(**names)}\n"
        f"        row.save(update_fields=['{names['full']}'])"
    )
    field = f"models.CharField(max_length=40{', null=True' if nullable else ''})"
    fields = {
        names["first"]: field,
        names["last"]: field,
        names["full"]: "models.CharField(max_length=90, null=True)",
    }
    result = review_migration(model, fields, data_migration(model, forwards))
    return [f.message for f in result.active if f.rule == "none-written-as-text"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "value", ['f"{{row.{first}}} {{row.{last}}}"', "str(row.{last})", 'f"{{row.{last}!s}}, {{row.{first}}}"']
)
def test_a_field_that_may_be_none_formatted_into_text(names: dict[str, str], value: str) -> None:
    [message] = _found(names, value)
    assert f"`{names['last']}`" in message and "'None'" in message


@pytest.mark.parametrize("names", NAMES)
def test_none_skipped_or_kept_out_or_never_there(names: dict[str, str]) -> None:
    joined = '" ".join(p for p in (row.{first}, row.{last}) if p)'
    assert not _found(names, joined)
    formatted = 'f"{{row.{first}}} {{row.{last}}}"'
    assert not _found(names, formatted, nullable=False)
    both = f", {names['first']}__isnull=False, {names['last']}__isnull=False"
    assert not _found(names, formatted, only=both)
