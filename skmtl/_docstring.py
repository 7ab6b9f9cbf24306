"""Docstring templates: one source for text that several docstrings show."""

import inspect
import re


def split_sections(doc):
    """``(head, {title: body})`` of a numpydoc docstring, dedented."""
    lines = inspect.cleandoc(doc or "").splitlines()
    head, sections, current = [], {}, None
    for i, line in enumerate(lines):
        if re.fullmatch(r"-{3,}", line.strip()):
            continue
        if i + 1 < len(lines) and re.fullmatch(r"-{3,}", lines[i + 1].strip()):
            current = sections.setdefault(line.strip(), [])
            continue
        (head if current is None else current).append(line)
    return "\n".join(head).strip(), {
        title: "\n".join(body).strip() for title, body in sections.items()
    }


def fill(template, **values):
    """Replace each ``{name}``; a multi-line value keeps the placeholder's indent."""
    for name, value in values.items():
        pattern = re.compile(r"^([ \t]*)(.*?)\{" + name + r"\}", re.M)

        def indented(match, value=value):
            indent, before = match.group(1), match.group(2)
            lines = str(value).splitlines() or [""]
            rest = "".join("\n" + indent + line if line else "\n" for line in lines[1:])
            return indent + before + lines[0] + rest

        template = pattern.sub(indented, template)
    return template
