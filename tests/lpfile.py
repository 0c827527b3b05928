"""Order-insensitive reading of the LP files PuLP writes, for golden tests.

PuLP 3 and 4 differ in number formatting (1e-05 vs 1e-5) and may order terms
differently; the meaning is compared: objective terms, each named row's terms,
sense and right-hand side, and the bounds."""
from __future__ import annotations

import re

_TERM = re.compile(r"([+-])?\s*((?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)?\s*([A-Za-z_][^\s:]*)")
_SENSES = ("<=", ">=", "=")


def _num(s: str) -> float:
    return float(f"{float(s):.9g}")


def _terms(expr: str) -> frozenset:
    out = {}
    for sign, coef, var in _TERM.findall(expr):
        c = float(coef) if coef else 1.0
        out[var] = _num(-c if sign == "-" else c)
    return frozenset(out.items())


def read(text: str) -> tuple:
    section, buf, rows, bounds, obj = None, [], {}, set(), []
    entries: list[str] = []
    for line in text.splitlines():
        head = line.strip()
        if head in ("Minimize", "Maximize", "Subject To", "Bounds", "Generals", "Binaries", "End"):
            if buf:
                entries.append((section, " ".join(buf)))
            section, buf = head, []
            continue
        if not head or head.startswith("\\"):
            continue
        if line.startswith(" ") and buf and section != "Bounds":  # a bound is one line, indented or not
            buf.append(head)
        else:
            if buf:
                entries.append((section, " ".join(buf)))
            buf = [head]
    for section, entry in entries:
        if section in ("Minimize", "Maximize"):
            obj.append(_terms(entry.split(":", 1)[1]))
        elif section == "Subject To":
            name, body = entry.split(":", 1)
            for sense in _SENSES:
                if f" {sense} " in f" {body} ":
                    lhs, rhs = body.rsplit(sense, 1)
                    rows[name.strip()] = (_terms(lhs), sense, _num(rhs.strip()))
                    break
        elif section == "Bounds":
            bounds.add(re.sub(r"(-?\d+\.?\d*(?:[eE][-+]?\d+)?)", lambda m: repr(_num(m.group(1))), entry))
    return frozenset(obj[0]) if obj else frozenset(), rows, frozenset(bounds)


def diff(a: tuple, b: tuple) -> list[str]:
    """Human-readable differences between two read() results."""
    out = []
    if a[0] != b[0]:
        out.append(f"objective differs: {sorted(a[0] ^ b[0])[:6]}")
    for name in sorted(set(a[1]) | set(b[1])):
        if a[1].get(name) != b[1].get(name):
            out.append(f"row {name}: {a[1].get(name)} != {b[1].get(name)}")
    if a[2] != b[2]:
        out.append(f"bounds differ: {sorted(a[2] ^ b[2])[:6]}")
    return out
