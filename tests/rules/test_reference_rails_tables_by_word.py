"""publiclab's plots2 dropped the old application's `users` table while its `User` model maps `rusers`
(`self.table_name = 'rusers'`): the review listed 237 places, every `User.find(…)` and `belongs_to :user`
of the other table, the old schema's `create_table "users"` in `db/schema-drupal.rb`, and the word `users`
as a route, an asset, a translation key, a file name and a symbol of tests. When it dropped `answers` and
deleted `app/models/answer.rb`, it missed `Answer.where(…)` still in a controller: the class it named was
no longer defined, so nothing tied it to the table."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Finding, Review
from bot.review import review
from tests.conftest import review_sql


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "table-dropped")


def _places(result: Review) -> set[str]:
    return {f"{r.path}:{r.line}" for r in _dropped(result).references if "low confidence" not in r.kind}


def _migration(table: str) -> str:
    return (
        f"class Drop{table.capitalize()} < ActiveRecord::Migration[7.0]\n"
        f"  def up\n    drop_table :{table}\n  end\nend\n"
    )


def _schema(table: str) -> str:
    return f"CREATE TABLE {table} (id bigint PRIMARY KEY, name text);\n"


@pytest.mark.parametrize(
    ("table", "model", "mapped"),
    [("users", "User", "rusers"), ("people", "Person", "members")],
)
def test_the_conventional_model_that_maps_another_table_and_words_of_the_code_are_no_places(
    table: str, model: str, mapped: str
) -> None:
    row = model.lower()
    files = {
        "db/migrate/001_init.rb": (
            "class Init < ActiveRecord::Migration[7.0]\n  def change\n"
            f"    create_table :{table} do |t|\n      t.string :name\n    end\n"
            f"    create_table :{mapped} do |t|\n      t.string :name\n    end\n  end\nend\n"
        ),
        f"app/models/{row}.rb": f"class {model} < ApplicationRecord\n  self.table_name = '{mapped}'\nend\n",
        "app/models/comment.rb": f"class Comment < ApplicationRecord\n  belongs_to :{row}, foreign_key: 'uid'\nend\n",
        "app/controllers/stats_controller.rb": (
            "class StatsController < ApplicationController\n"
            f"  def {table}\n    data = {model}.where(status: 1)\n    format(data, '{table}')\n  end\nend\n"
        ),
        "config/routes.rb": f"Rails.application.routes.draw do\n  get '{table}' => '{table}#index'\nend\n",
        "app/views/admin/assets.html.erb": f"<%= javascript_include_tag '{table}' %>\n",
        "app/views/form.html.erb": f"<%= f.text_area :bio, placeholder: I18n.t('{table}._form.add_bio') %>\n",
        "db/schema-legacy.rb": f'  create_table "{table}", force: true do |t|\n    t.string "name"\n  end\n',
        "test/stats_test.rb": f"class StatsTest\n  def test_all\n    assert_not_nil assigns(:{table})\n  end\nend\n",
    }
    migration_path = f"db/migrate/002_drop_{table}.rb"
    quiet = review_sql(_migration(table), path=migration_path, base=files)
    assert not _places(quiet)
    by_convention = {**files, f"app/models/{row}.rb": f"class {model} < ApplicationRecord\nend\n"}
    found = _places(review_sql(_migration(table), path=migration_path, base=by_convention))
    assert {"app/controllers/stats_controller.rb:3", "app/models/comment.rb:2"} <= found


def _deleting_model(table: str, files: dict[str, str], model_file: str, controller: str) -> Review:
    """The change drops the table and deletes the model's file; the controller is the head's."""
    path = f"db/migrate/002_drop_{table}.rb"
    head = {p: t for p, t in files.items() if p != model_file}
    head |= {path: _migration(table), "app/controllers/stats_controller.rb": controller}
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(
            ChangedFile(path, "added", None, _migration(table)),
            ChangedFile(model_file, "removed", files[model_file], None),
        ),
        head_tree=MemoryTree(head),
        base_tree=MemoryTree(files),
    )
    return review(changeset)


@pytest.mark.parametrize(("table", "model"), [("answers", "Answer"), ("badges", "Badge")])
def test_a_model_class_the_change_deletes_and_the_code_still_names_is_a_place(table: str, model: str) -> None:
    model_file = f"app/models/{table[:-1]}.rb"
    action = f"  def {table}\n    data = {model}.where(created_at: 1.week.ago..).all\n    render json: data\n  end\n"
    controller = (
        f"class StatsController < ApplicationController\n{action}"
        "  def notes\n    render json: Note.all\n  end\nend\n"
    )
    files = {
        "db/migrate/001_init.rb": (
            "class Init < ActiveRecord::Migration[7.0]\n  def change\n"
            f"    create_table :{table} do |t|\n      t.string :body\n    end\n  end\nend\n"
        ),
        model_file: f"class {model} < ApplicationRecord\n  belongs_to :note\nend\n",
        "app/controllers/stats_controller.rb": controller,
    }
    removed = _deleting_model(table, files, model_file, controller)
    assert "app/controllers/stats_controller.rb:3" in _places(removed)
    assert _dropped(removed).severity == "critical"
    quiet = _deleting_model(table, files, model_file, controller.replace(action, ""))
    assert not {p for p in _places(quiet) if p.startswith("app/controllers/")}
