"""multiple-migration-heads and migration-parent-missing: Alembic revisions and Django migrations whose
history, once the change merges, has two ends or a parent that does not exist."""

from __future__ import annotations

import pytest

from .migration_set import findings, rules_of

HEADS = "multiple-migration-heads"
PARENT = "migration-parent-missing"


def revision(rev: str, down: str, *, table: str = "orders", extra: str = "") -> str:
    return (
        f'"""{rev}"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        f'revision = "{rev}"\ndown_revision = {down}\n{extra}\n\n'
        f'def upgrade():\n    op.add_column("{table}", sa.Column("c_{rev}", sa.Text()))\n\n\n'
        "def downgrade():\n    pass\n"
    )


ALEMBIC_NAMES = [
    ("migrations/versions", "orders", ("1a2b3c4d5e6f", "2b3c4d5e6f7a", "3c4d5e6f7a8b")),
    ("app/alembic/versions", "users", ("aaa111", "bbb222", "ccc333")),
]


def _history(folder: str, table: str, revs: tuple[str, ...]) -> dict[str, str]:
    first, theirs, _ = revs
    return {
        f"{folder}/{first}_create.py": revision(first, "None", table=table),
        f"{folder}/{theirs}_theirs.py": revision(theirs, f'"{first}"', table=table),
    }


@pytest.mark.parametrize(("folder", "table", "revs"), ALEMBIC_NAMES)
@pytest.mark.parametrize("lacks", [True, False], ids=["branch-behind", "branch-merged-main"])
def test_alembic_second_head(folder: str, table: str, revs: tuple[str, ...], lacks: bool) -> None:
    first, theirs, mine = revs
    base = _history(folder, table, revs)
    added = {f"{folder}/{mine}_mine.py": revision(mine, f'"{first}"', table=table)}
    lacking = (f"{folder}/{theirs}_theirs.py",) if lacks else ()
    found = findings(base, added, branch_lacks=lacking, rule=HEADS)
    assert len(found) == 1
    assert (
        found[0].line == 6
        and theirs in found[0].message
        and "Multiple head revisions" in found[0].blast_radius
    )
    assert f'down_revision = "{theirs}"' in found[0].fix and "alembic merge" in found[0].fix


@pytest.mark.parametrize(("folder", "table", "revs"), ALEMBIC_NAMES)
def test_alembic_on_top_merge_and_labelled_branch_are_fine(
    folder: str, table: str, revs: tuple[str, ...]
) -> None:
    first, theirs, mine = revs
    base = _history(folder, table, revs)
    on_top = {f"{folder}/{mine}_mine.py": revision(mine, f'"{theirs}"', table=table)}
    labelled = {
        f"{folder}/{mine}_mine.py": revision(mine, "None", table=table, extra='branch_labels = ("audit",)')
    }
    side = {
        f"{folder}/{mine}_mine.py": revision(mine, f'"{first}"', table=table, extra='branch_labels = ("x",)')
    }
    # the branch's revision and the merge of both heads, in one change
    merged = {
        f"{folder}/{mine}_mine.py": revision(mine, f'"{first}"', table=table),
        f"{folder}/{mine}9_merge.py": revision(f"{mine}9", f'("{theirs}", "{mine}")', table=table),
    }
    for added in (on_top, labelled, side, merged):
        assert rules_of(findings(base, added)) & {HEADS, PARENT, "duplicate-migration-version"} == set(), (
            added
        )


@pytest.mark.parametrize(("folder", "table", "revs"), ALEMBIC_NAMES)
def test_alembic_base_with_several_heads_already(folder: str, table: str, revs: tuple[str, ...]) -> None:
    """A project that keeps several heads (and runs `upgrade heads`) is not told about one more."""
    first, theirs, mine = revs
    base = {
        **_history(folder, table, revs),
        f"{folder}/dd44_other.py": revision("dd44", f'"{first}"', table=table),
    }
    added = {f"{folder}/{mine}_mine.py": revision(mine, f'"{theirs}"', table=table)}
    assert findings(base, added, rule=HEADS) == []
    also = {f"{folder}/{mine}_mine.py": revision(mine, f'"{first}"', table=table)}
    assert findings(base, also, rule=HEADS) == []


@pytest.mark.parametrize(("folder", "table", "revs"), ALEMBIC_NAMES)
def test_alembic_histories_of_two_environments_are_apart(
    folder: str, table: str, revs: tuple[str, ...]
) -> None:
    _first, _theirs, _mine = revs
    base = {**_history(folder, table, revs), "tenant/alembic/versions/t1_create.py": revision("t1", "None")}
    added = {"tenant/alembic/versions/t2_add.py": revision("t2", '"t1"')}
    assert rules_of(findings(base, added)) & {HEADS, PARENT} == set()


@pytest.mark.parametrize(("folder", "table", "revs"), ALEMBIC_NAMES)
def test_alembic_parent_missing(folder: str, table: str, revs: tuple[str, ...]) -> None:
    _first, theirs, mine = revs
    base = _history(folder, table, revs)
    added = {f"{folder}/{mine}_mine.py": revision(mine, '"deadbeef0000"', table=table)}
    found = findings(base, added, rule=PARENT)
    assert len(found) == 1 and "deadbeef0000" in found[0].message and found[0].line == 6
    chained = {
        f"{folder}/{mine}_mine.py": revision(mine, f'"{theirs}"', table=table),
        f"{folder}/{mine}2_next.py": revision(f"{mine}2", f'"{mine}"', table=table),
    }
    assert findings(base, chained, rule=PARENT) == []


@pytest.mark.parametrize(("folder", "table", "revs"), ALEMBIC_NAMES)
def test_alembic_duplicate_revision_id(folder: str, table: str, revs: tuple[str, ...]) -> None:
    first, theirs, mine = revs
    base = _history(folder, table, revs)
    added = {f"{folder}/{mine}_mine.py": revision(theirs, f'"{first}"', table=table)}
    found = findings(base, added, rule="duplicate-migration-version")
    assert len(found) == 1 and "present more than once" in found[0].blast_radius


DATABASE_FOLDERS = [
    (
        "db/migrations/versions",
        ("postgresql", "sqlite"),
        "orders",
        ("4d5e6f7a8b9c", "5e6f7a8b9c0d", "6f7a8b9c0d1e"),
    ),
    ("server/alembic/versions", ("mysql", "sqlite"), "users", ("abc123", "bcd234", "cde345")),
]


@pytest.mark.parametrize(("root", "databases", "table", "revs"), DATABASE_FOLDERS)
def test_alembic_one_history_per_database_folder(
    root: str, databases: tuple[str, str], table: str, revs: tuple[str, ...]
) -> None:
    """A project that keeps one versions folder per database (each its own environment) writes each change
    once per database, often under the same revision id: the histories are apart, no duplicate, no new head."""
    first, theirs, mine = revs
    one, other = (f"{root}/{database}" for database in databases)
    base = {**_history(one, table, revs), **_history(other, table, revs)}
    added = {
        f"{one}/{mine}_mine.py": revision(mine, f'"{theirs}"', table=table),
        f"{other}/{mine}_mine.py": revision(mine, f'"{theirs}"', table=table),
    }
    assert rules_of(findings(base, added)) & {HEADS, PARENT, "duplicate-migration-version"} == set()
    # within one database's folder the same id twice is still a duplicate, and a second head still a head
    twice = {**added, f"{one}/{mine}_again.py": revision(mine, f'"{theirs}"', table=table)}
    assert rules_of(findings(base, twice)) >= {"duplicate-migration-version"}
    forked = {f"{one}/{mine}_mine.py": revision(mine, f'"{first}"', table=table)}
    found = findings(base, forked, rule=HEADS)
    assert len(found) == 1 and f"{one}/" in found[0].message and f"{other}/" not in found[0].message
    # a parent only the other database's folder declares is missing in this one's history
    stray = {f"{one}/{mine}_mine.py": revision(mine, '"0ddba11"', table=table)}
    other_only = {
        **_history(one, table, revs),
        f"{other}/0ddba11_x.py": revision("0ddba11", "None", table=table),
    }
    assert len(findings(other_only, stray, rule=PARENT)) == 1


# ---- Django --------------------------------------------------------------------------------------------


def migration(*deps: str, replaces: str = "") -> str:
    listed = "".join(f"        {d},\n" for d in deps)
    extra = f"    replaces = [{replaces}]\n" if replaces else ""
    return (
        "from django.conf import settings\nfrom django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"{extra}    dependencies = [\n{listed}    ]\n\n    operations = []\n"
    )


DJANGO_NAMES = [
    ("shop", "0003_order_note", "0003_order_total"),
    ("accounts", "0003_user_email", "0003_user_seen"),
]


def _app(app: str, theirs: str) -> dict[str, str]:
    folder = f"{app}/migrations"
    return {
        f"{folder}/__init__.py": "",
        f"{folder}/0001_initial.py": migration("migrations.swappable_dependency(settings.AUTH_USER_MODEL)"),
        f"{folder}/0002_more.py": migration(f"('{app}', '0001_initial')"),
        f"{folder}/{theirs}.py": migration(f"('{app}', '0002_more')"),
    }


@pytest.mark.parametrize(("app", "mine", "theirs"), DJANGO_NAMES)
def test_a_migration_renumbered_and_edited_is_a_rename_not_a_second_leaf(
    app: str, mine: str, theirs: str
) -> None:
    """The change removes the base branch's newest migration and adds it again after one of its own, under the
    next number and with edits (git pairs no rename): one leaf, and the move of an applied migration said."""
    from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
    from bot.review import review

    folder = f"{app}/migrations"
    base = _app(app, theirs)
    old = f"{folder}/{theirs}.py"
    rest = theirs.split("_", 1)[1]
    inserted = f"{folder}/{mine}.py"
    moved = f"{folder}/0004_{rest}.py"
    edited = migration(f"('{app}', '{mine}')").replace(
        "operations = []", "operations = []  # after the index"
    )
    head = {
        **{p: t for p, t in base.items() if p != old},
        inserted: migration(f"('{app}', '0002_more')"),
        moved: edited,
    }
    files = (
        ChangedFile(old, "removed", base[old], None),
        ChangedFile(inserted, "added", None, head[inserted]),
        ChangedFile(moved, "added", None, edited),
    )
    found = review(ChangeSet("b", "h", files, MemoryTree(head), MemoryTree(base))).active
    assert HEADS not in rules_of(found)
    [renamed] = [f for f in found if f.rule == "applied-migration-edited"]
    assert renamed.path == moved and old in renamed.message and "renamed" in renamed.message
    # removed for good, with nothing of its name added again: the removed file stays in the merged history
    files = (
        ChangedFile(old, "removed", base[old], None),
        ChangedFile(inserted, "added", None, head[inserted]),
    )
    gone = {p: t for p, t in head.items() if p != moved}
    assert HEADS in rules_of(review(ChangeSet("b", "h", files, MemoryTree(gone), MemoryTree(base))).active)


@pytest.mark.parametrize(("app", "mine", "theirs"), DJANGO_NAMES)
@pytest.mark.parametrize("lacks", [True, False], ids=["branch-behind", "branch-merged-main"])
def test_django_two_leaves(app: str, mine: str, theirs: str, lacks: bool) -> None:
    base = _app(app, theirs)
    added = {f"{app}/migrations/{mine}.py": migration(f"('{app}', '0002_more')")}
    lacking = (f"{app}/migrations/{theirs}.py",) if lacks else ()
    found = findings(base, added, branch_lacks=lacking, rule=HEADS)
    assert len(found) == 1
    assert theirs in found[0].message and "Conflicting migrations" in found[0].blast_radius
    assert f"('{app}', '{theirs}')" in found[0].fix and found[0].line == 7


@pytest.mark.parametrize(("app", "mine", "theirs"), DJANGO_NAMES)
def test_django_on_top_merge_and_other_apps_are_fine(app: str, mine: str, theirs: str) -> None:
    base = _app(app, theirs)
    on_top = {
        f"{app}/migrations/0004_{mine[5:]}.py": migration(f"('{app}', '{theirs}')", "('auth', '0012_x')")
    }
    merge = {
        f"{app}/migrations/{mine}.py": migration(f"('{app}', '0002_more')"),
        f"{app}/migrations/0004_merge.py": migration(f"('{app}', '{theirs}')", f"('{app}', '{mine}')"),
    }
    other_app = {
        "billing/migrations/__init__.py": "",
        "billing/migrations/0001_initial.py": migration(
            f"('{app}', '0002_more')", "('billing', '__first__')"
        ),
    }
    for added in (on_top, merge, other_app):
        assert rules_of(findings(base, added)) & {HEADS, PARENT} == set(), added


@pytest.mark.parametrize(("app", "mine", "theirs"), DJANGO_NAMES)
def test_django_conflict_already_on_the_base_branch(app: str, mine: str, theirs: str) -> None:
    base = {**_app(app, theirs), f"{app}/migrations/0003_other.py": migration(f"('{app}', '0002_more')")}
    added = {f"{app}/migrations/0004_{mine[5:]}.py": migration(f"('{app}', '{theirs}')")}
    assert findings(base, added, rule=HEADS) == []


@pytest.mark.parametrize(("app", "mine", "theirs"), DJANGO_NAMES)
def test_django_squash_stands_for_what_it_replaces(app: str, mine: str, theirs: str) -> None:
    base = {
        **_app(app, theirs),
        f"{app}/migrations/0001_squashed_0002_more.py": migration(
            replaces=f"('{app}', '0001_initial'), ('{app}', '0002_more')"
        ),
    }
    del base[f"{app}/migrations/0001_initial.py"]
    del base[f"{app}/migrations/0002_more.py"]
    on_top = {f"{app}/migrations/0004_{mine[5:]}.py": migration(f"('{app}', '{theirs}')")}
    assert rules_of(findings(base, on_top)) & {HEADS, PARENT} == set()
    # a dependency on a replaced migration (its file removed) resolves to the squash
    old = {
        f"{app}/migrations/0004_{mine[5:]}.py": migration(
            f"('{app}', '{theirs}')", f"('{app}', '0001_initial')"
        )
    }
    assert rules_of(findings(base, old)) & {PARENT} == set()


@pytest.mark.parametrize(("app", "mine", "theirs"), DJANGO_NAMES)
def test_django_dependency_missing(app: str, mine: str, theirs: str) -> None:
    base = _app(app, theirs)
    added = {f"{app}/migrations/0004_{mine[5:]}.py": migration(f"('{app}', '0003_gone')")}
    found = findings(base, added)
    ours = [f for f in found if f.rule in (PARENT, HEADS)]
    assert [f.rule for f in ours] == [PARENT]  # not also two leaves: Django stops on the missing parent first
    assert "0003_gone" in ours[0].message and ours[0].line == 7
    third_party = {
        f"{app}/migrations/0004_{mine[5:]}.py": migration(
            f"('{app}', '{theirs}')",
            "('taggit', '0003_taggeditem_add_unique_index')",
            "('auth', '__latest__')",
        )
    }
    assert findings(base, third_party, rule=PARENT) == []


def test_django_app_label_declared_in_apps_py() -> None:
    """A package whose AppConfig declares another label is not the app its folder name says."""
    base = {
        **_app("shop", "0003_order_total"),
        "core/auth/__init__.py": "",
        "core/auth/apps.py": "class AuthConfig(AppConfig):\n    name = 'core.auth'\n    label = 'core_auth'\n",
        "core/auth/migrations/__init__.py": "",
        "core/auth/migrations/0001_initial.py": migration(),
    }
    added = {
        "shop/migrations/0004_staff.py": migration(
            "('shop', '0003_order_total')", "('auth', '0012_alter_user')"
        )
    }
    assert findings(base, added, rule=PARENT) == []
    wrong = {
        "shop/migrations/0004_staff.py": migration("('shop', '0003_order_total')", "('core_auth', '0002_x')")
    }
    assert len(findings(base, wrong, rule=PARENT)) == 1


def test_lint_has_no_base_and_no_finding() -> None:
    from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
    from bot.review import review

    files = {
        **_app("shop", "0003_order_total"),
        "shop/migrations/0003_note.py": migration("('shop', '0002_more')"),
    }
    changed = tuple(ChangedFile(p, "added", None, t) for p, t in files.items())
    found = review(ChangeSet("", "", changed, MemoryTree(files), MemoryTree()), lint=True).active
    assert rules_of(found) & {HEADS, PARENT} == set()


@pytest.mark.parametrize(("folder", "table", "revs"), ALEMBIC_NAMES)
def test_alembic_revision_python_cannot_parse_still_counts(
    folder: str, table: str, revs: tuple[str, ...]
) -> None:
    """A Python 2 revision (`print "…"`) of an old history is still a revision the runner knows."""
    first, theirs, mine = revs
    base = _history(folder, table, revs)
    base[f"{folder}/{theirs}_theirs.py"] = base[f"{folder}/{theirs}_theirs.py"].replace(
        "def upgrade():\n", 'def upgrade():\n    print "updating"\n'
    )
    on_top = {f"{folder}/{mine}_mine.py": revision(mine, f'"{theirs}"', table=table)}
    assert rules_of(findings(base, on_top)) & {HEADS, PARENT} == set()
    beside = {f"{folder}/{mine}_mine.py": revision(mine, f'"{first}"', table=table)}
    assert rules_of(findings(base, beside)) & {HEADS, PARENT} == {HEADS}
