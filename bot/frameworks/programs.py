"""Another program a migration's code starts: a script run in a child process (`subprocess.run([...])`,
`os.system(...)`, Ruby's `system(...)` or backticks, a Rake task or a Django management command invoked from
the migration). What it does is not in the migration, so the review says so (`program-run-by-migration`)."""

from __future__ import annotations

import ast
import re

from bot.frameworks import python_source as py

# Python: the functions that start a program or another command of the application
_PYTHON = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "os.system",
        "os.popen",
        "call_command",
        "management.call_command",
    }
)


def python_program(node: ast.AST, text: str) -> str:
    """The first program started in `node` (a function or a statement), as written; "" when none is."""
    for found in ast.walk(node):
        if not isinstance(found, ast.Call):
            continue
        name = py.dotted(found.func)
        if name in _PYTHON:
            first = found.args[0] if found.args else None
            shown = ast.get_source_segment(text, first) if first is not None else None
            return f"{name}({shown})" if shown else name
    return ""


# Ruby: Kernel#system / exec / spawn, backticks and %x{}, Open3, IO.popen, a Rake task invoked
_RUBY = re.compile(
    r"""(?:^|[\s;(])(?:Kernel\.)?(?:system|exec|spawn)\s*\(?\s*['"][^'"]+['"]"""
    r"""|`[^`\n]+`|%x[{(\[][^})\]\n]+[})\]]"""
    r"""|\bOpen3\.\w+\s*\(?\s*['"][^'"]+['"]|\bIO\.popen\s*\(?\s*['"][^'"]+['"]"""
    r"""|\bRake::Task\[[^\]]+\]\.(?:invoke|execute)"""
)


def ruby_program(code: str) -> str:
    found = _RUBY.search(code)
    return found.group(0).strip(" ;(") if found else ""
