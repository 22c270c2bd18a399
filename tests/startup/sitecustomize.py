"""In the subprocesses the test suite starts (the CLI, the app): record each review's generated SQL
(tests/generated_sql.py) once `bot.review` is imported. Nothing is imported before that."""

import importlib.abc
import importlib.machinery
import os
import sys


class _AfterReview(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name != "bot.review":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module):  # type: ignore[no-untyped-def]
            run(module)
            sys.meta_path.remove(self)
            from tests.generated_sql import install

            install()

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if os.environ.get("MIGRATION_REVIEW_SQL_RECORD"):
    sys.meta_path.insert(0, _AfterReview())
