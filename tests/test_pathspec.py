from bot.references.path_patterns import compile_patterns


def test_gitignore_style_patterns() -> None:
    spec = compile_patterns(
        ["vendor/", "*.min.js", "/build", "docs/**/*.md", "app/*/legacy", "!keep.min.js", "# c"]
    )
    assert spec.matches("vendor/a.rb") and spec.matches("x/vendor/b.rb")
    assert spec.matches("a/b.min.js") and not spec.matches("keep.min.js")
    assert spec.matches("build/x") and not spec.matches("x/build/y")
    assert spec.matches("docs/a/b.md") and spec.matches("docs/x.md")
    assert spec.matches("app/models/legacy/x.rb") and not spec.matches("app/legacy")


def test_walk_helpers_prune_directories() -> None:
    spec = compile_patterns(["vendor/", "/build", "migrations/", "db/migrate/", "*.min.js"])
    assert spec.skips_dir("x/vendor", "vendor") and spec.skips_dir("build", "build")
    assert not spec.skips_dir("x/build", "build") and not spec.skips_dir("db", "db")
    assert spec.skips_dir("shop/migrations", "migrations") and spec.skips_dir("db/migrate", "migrate")
    assert spec.skips_file("a/b.min.js", "b.min.js") and not spec.skips_file("a/b.js", "b.js")
    assert not spec.skips_file("vendor", "vendor")  # a directory pattern never matches a file
