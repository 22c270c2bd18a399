"""A Ruby method's parameter or local variable named like a column is not the model's attribute.

Inside a model, a bare `raw_csv_str` calls the attribute reader: a use of the column. But a name a method
takes as a parameter (`def self.create_with_field_mappings(raw_csv_str, fields)`) or assigns without
`self.` (`raw_csv_str = <<-ROWS`: Ruby makes it a local) is that method's variable on every line of its
body after that point; so in a test's block (`test "…" do`, `it "…" do`).
"""

from __future__ import annotations

import re

_DEF = re.compile(
    r"^([ \t]*)(?:def[ \t]+(?:self\.)?[\w.]+[?!=]?[ \t]*(?:\(([^)]*)\)|[ \t]+([^\n#]*))?"
    r"|(?:test|it|specify|scenario|setup|before)\b[^\n]*?\bdo\b(?:[ \t]*\|([^|\n]*)\|)?)",  # a test's block
    re.M,
)
_WINDOW = 6_000


def ruby_local(text: str, pos: int, name: str) -> bool:
    """Is `name` at `pos` a parameter or a local variable of the Ruby method around it?"""
    window = max(0, pos - _WINDOW)
    header = None
    for found in _DEF.finditer(text, window):
        if found.start() > pos:
            break
        header = found
    if header is None:
        return _script_local(text, pos, name)
    indent = header.group(1)
    end = re.search(rf"^{re.escape(indent)}end\b", text[header.end() : max(header.end(), pos)], re.M)
    if end is not None:
        return False  # the method closed before `pos`
    parameters = header.group(2) or header.group(3) or header.group(4) or ""
    word = rf"(?<![\w@.:]){re.escape(name)}(?![\w?!])"
    if re.search(word + r"\s*(?:[:=,)]|$)", parameters) or re.search(rf"[*&]{re.escape(name)}\b", parameters):
        return True
    line_end = text.find("\n", pos)
    body = text[header.end() : line_end if line_end >= 0 else len(text)]
    if _block_parameter(body, pos - header.end(), word):
        return True
    return re.search(rf"^[ \t]*{word}[ \t]*(?:=(?![=~>])|\|\|=)", body, re.M) is not None


_BLOCK = re.compile(r"^([ \t]*)\S[^\n]*?(?:\bdo|\{)[ \t]*\|([^|\n]*)\|([^\n]*)", re.M)


def _block_parameter(body: str, pos: int, word: str) -> bool:
    """Is the name a parameter of a block still open at `pos` (`params.each do |id, notifier|` above, its
    `end` not yet reached)?"""
    for block in _BLOCK.finditer(body):  # the body ends with the line of `pos`
        if block.start() > pos or not re.search(word, block.group(2)):
            continue
        if block.start(2) <= pos <= block.end(2):
            return True  # the parameter list itself
        same_line = body.find("\n", block.end()) < 0 or pos <= block.end()
        if "}" in block.group(3) and "do" not in block.group(0) and not same_line:
            continue  # a one-line `{ |x| … }` closed on its own line
        closed = re.search(rf"^{re.escape(block.group(1))}(?:end\b|\}})", body[block.end() : pos], re.M)
        if closed is None:
            return True
    return False


def _script_local(text: str, pos: int, name: str) -> bool:
    """Outside any method, in a script with no class around (`slug = version_number` at the top of
    `script/restore_version`): is `name` assigned on a line of its own above `pos`?"""
    above = text[: text.find("\n", pos) if "\n" in text[pos:] else len(text)]
    if re.search(r"^[ \t]*(?:class|module)\b", above, re.M):
        return False  # a class body: a bare name there is the model's attribute or a method
    word = rf"(?<![\w@.:]){re.escape(name)}(?![\w?!])"
    return re.search(rf"^[ \t]*{word}[ \t]*(?:=(?![=~>])|\|\|=)", above, re.M) is not None


def erb_local(text: str, pos: int, name: str) -> bool:
    """Is `name` at `pos` a local variable of an ERB template: assigned in a code tag at or above its line
    (`<% is_active = step_idx == idx %>`, `<% @items.each do |is_active| %>`)?"""
    line_end = text.find("\n", pos)
    above = text[: line_end if line_end >= 0 else len(text)]
    word = re.escape(name)
    assigned = rf"<%-?[ \t]*{word}[ \t]*(?:=(?![=~>])|\|\|=)|\|[^|\n]*(?<![\w@.:]){word}(?![\w?!])[^|\n]*\|[ \t]*-?%>"
    return re.search(assigned, above) is not None
