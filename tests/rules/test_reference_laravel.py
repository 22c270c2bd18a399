"""Code references in a Laravel application: what PHP code names that is no use of a dropped column (a
variable of the code, a model's own accessor), met on koel; each with its twin that still uses the column."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

MIGRATION = "db/migrations/002_change.sql"
CASES = [
    ("songs", "Song", "genre", "Genre"),
    ("invoices", "Invoice", "currency_code", "Currency"),
]


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "column-dropped")


def _studly(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _camel(name: str) -> str:
    studly = _studly(name)
    return studly[:1].lower() + studly[1:]


def _review(table: str, column: str, files: dict[str, str]) -> Review:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, title text, {column} text);\n-- migration\n"
    return review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", path=MIGRATION, base=files)


@pytest.mark.parametrize(("table", "model", "column", "other"), CASES)
def test_a_php_variable_named_like_the_column_is_no_use_of_it(
    table: str, model: str, column: str, other: str
) -> None:
    # koel 43eb97c4 dropped `songs.genre` for a `genres` table: `Genre $genre`, `$genre->id` are a Genre
    variable = _camel(column)
    repository = (
        f"<?php\n\nclass {model}Repository\n{{\n"
        f"    public function getBy{other}({other} ${variable}): Collection\n    {{\n"
        f"        if (${variable}) {{\n"
        f"            return {model}::query()->whereRelation('items', 'items.id', ${variable}->id)->get();\n"
        f"        }}\n        return {model}::query()->get();\n    }}\n}}\n"
    )
    model_file = f"<?php\n\nnamespace App\\Models;\n\nclass {model} extends Model\n{{\n}}\n"
    files = {f"app/Models/{model}.php": model_file, f"app/Repositories/{model}Repository.php": repository}
    finding = _dropped(_review(table, column, files))
    assert finding.severity is not Severity.CRITICAL, finding
    assert not any(r.path.startswith("app/Repositories/") for r in finding.references), finding.references
    # the twin: the same repository reads the row's column through the model
    reads = repository.replace(
        "->get();\n        }", f"->get();\n        }}\n        echo ${variable}->id . $row->{column};"
    ).replace("    {\n        if", f"    {{\n        $row = {model}::query()->first();\n        if")
    files[f"app/Repositories/{model}Repository.php"] = reads
    finding = _dropped(_review(table, column, files))
    assert finding.severity is Severity.CRITICAL, finding
    assert any(f"$row->{column}" in r.text for r in finding.references), finding.references


@pytest.mark.parametrize(("table", "model", "column", "other"), CASES)
@pytest.mark.parametrize("style", ["attribute", "get-attribute"])
def test_an_eloquent_accessor_of_the_columns_name_keeps_the_places_working(
    table: str, model: str, column: str, other: str, style: str
) -> None:
    # koel's `Song` computes `genre` from its genres (`protected function genre(): Attribute`) once the
    # column is gone: `$song->genre` calls the accessor
    accessor = (
        f"    protected function {_camel(column)}(): Attribute\n    {{\n"
        f"        return Attribute::get(fn () => $this->{other.lower()}s->pluck('name')->join(', '));\n    }}\n"
        if style == "attribute"
        else f"    public function get{_studly(column)}Attribute(): string\n    {{\n        return '';\n    }}\n"
    )
    row = table[:-1]
    job = (
        f"<?php\n\nclass Export{model}s implements ShouldQueue\n{{\n    public function handle()\n    {{\n"
        f"        foreach ({model}::all() as ${row}) {{\n            echo ${row}->{column};\n        }}\n    }}\n}}\n"
    )

    def dropped(body: str) -> Finding:
        model_file = f"<?php\n\nnamespace App\\Models;\n\nclass {model} extends Model\n{{\n{body}}}\n"
        return _dropped(
            _review(table, column, {f"app/Models/{model}.php": model_file, "app/Jobs/Export.php": job})
        )

    kept = dropped(accessor)
    assert kept.severity is Severity.INFO, kept  # Eloquent writes only the attributes it was given
    assert f"the model's own `{column}` (`app/Models/{model}.php:7`)" in kept.message
    # the twin: an accessor of another name leaves the job reading the column
    other_accessor = accessor.replace(_camel(column), "label", 1).replace(_studly(column), "Label", 1)
    assert dropped(other_accessor).severity is Severity.CRITICAL


@pytest.mark.parametrize(
    ("table", "model", "related", "key", "pivot"),
    [
        ("playlists", "Playlist", "PlaylistFolder", "folder_id", "null"),
        ("users", "User", "Team", "team_id", "'team_user'"),
    ],
)
def test_a_belongs_to_many_names_its_pivot_tables_keys(
    table: str, model: str, related: str, key: str, pivot: str
) -> None:
    # koel 9a1e3d9e moved `playlists.folder_id` to a pivot table, which `belongsToMany(PlaylistFolder::class,
    # null, null, 'folder_id')` names
    def dropped(relation: str) -> Finding:
        model_file = (
            f"<?php\n\nnamespace App\\Models;\n\nclass {model} extends Model\n{{\n"
            f"    public function folders(): BelongsToMany\n    {{\n        return $this->{relation};\n    }}\n}}\n"
        )
        return _dropped(_review(table, key, {f"app/Models/{model}.php": model_file}))

    finding = dropped(f"belongsToMany({related}::class, {pivot}, null, '{key}')")
    assert finding.severity is not Severity.CRITICAL, finding
    assert all("safe" in r.kind for r in finding.references), finding.references
    # the twin: a belongsTo names this table's own key
    assert dropped(f"belongsTo({related}::class, '{key}')").severity is Severity.CRITICAL


@pytest.mark.parametrize(
    ("table", "model", "column"), [("playlists", "Playlist", "folder_id"), ("invoices", "Invoice", "paid_at")]
)
def test_a_resource_that_computes_the_field_keeps_the_front_end_working(
    table: str, model: str, column: str
) -> None:
    # koel 9a1e3d9e: `PlaylistResource` gives `'folder_id' => $this->playlist->getFolderId($user)` once the column
    # moved to a pivot table; the Vue code's `playlist.folder_id` reads that field of the API
    row = table[:-1]
    front = f"export const clear = ({row}) => {{\n  {row}.{column} = null\n}}\n"

    def dropped(value: str, more: dict[str, str] | None = None) -> Finding:
        resource = (
            f"<?php\n\nnamespace App\\Http\\Resources;\n\nclass {model}Resource extends JsonResource\n{{\n"
            f"    public function toArray($request): array\n    {{\n        return [\n"
            f"            'id' => $this->{row}->id,\n            '{column}' => {value},\n        ];\n    }}\n}}\n"
        )
        model_file = f"<?php\n\nnamespace App\\Models;\n\nclass {model} extends Model\n{{\n}}\n"
        files = {
            f"app/Models/{model}.php": model_file,
            f"app/Http/Resources/{model}Resource.php": resource,
            f"resources/assets/js/stores/{row}Store.ts": front,
            **(more or {}),
        }
        return _dropped(_review(table, column, files))

    computed = f"$this->{row}->folderFor($request->user())"
    kept = dropped(computed)
    assert kept.severity is not Severity.CRITICAL, kept
    assert all("computed field" in r.kind for r in kept.references), kept.references
    # PHP code that reads the row's column is still a use, whatever the resource computes
    job = f"<?php\n\nclass Export\n{{\n    public function handle({model} $r)\n    {{\n        echo $r->{column};\n    }}\n}}\n"
    still = dropped(computed, {"app/Jobs/Export.php": job})
    assert still.severity is Severity.CRITICAL
    assert any(r.path == "app/Jobs/Export.php" and "safe" not in r.kind for r in still.references)
    # the twin: the resource reads the column itself
    assert dropped(f"$this->{row}->{column}").severity is Severity.CRITICAL


@pytest.mark.parametrize(
    ("table", "model", "column"), [("playlists", "Playlist", "folder_id"), ("invoices", "Invoice", "paid_at")]
)
def test_a_getter_of_an_eloquent_model_is_a_method_the_code_wrote(
    table: str, model: str, column: str
) -> None:
    # koel's `Playlist::getFolderId($user)` looks the folder up in a pivot table: Eloquent generates no getters
    studly = _studly(column)
    service = (
        f"<?php\n\nclass {model}Service\n{{\n    public function show({model} $row): ?string\n    {{\n"
        f"        return $row->get{studly}(auth()->user());\n    }}\n}}\n"
    )

    def dropped(header: str) -> Finding:
        model_file = (
            f"<?php\n\nnamespace App\\Models;\n\n{header}\n{{\n"
            f"    public function get{studly}(?User $user = null): ?string\n    {{\n"
            f"        return $this->related()->wherePivot('user_id', $user?->id)->value('id');\n    }}\n}}\n"
        )
        files = {f"app/Models/{model}.php": model_file, f"app/Services/{model}Service.php": service}
        return _dropped(_review(table, column, files))

    eloquent = dropped(f"use Illuminate\\Database\\Eloquent\\Model;\n\nclass {model} extends Model")
    assert eloquent.severity is not Severity.CRITICAL, eloquent
    assert not eloquent.references, eloquent.references
    # the twin: a Doctrine entity's getter reads the mapped column
    doctrine = dropped(f"use Doctrine\\ORM\\Mapping as ORM;\n\n#[ORM\\Entity]\nclass {model}")
    assert any(f"get{studly}" in r.text for r in doctrine.references), doctrine.references
