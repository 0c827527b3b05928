"""The custom-constraint language: a small parser, no eval.

    constraint := side ('>=' | '<=' | '==') side
    side       := term (('+' | '-') term)*
    term       := factor (('*' | '/') factor)*
    factor     := NUMBER | 'target' | '(' side ')' | '-' factor | quantity | 'sum' '(' quantity ')'
    quantity   := NAME ('[' filter (',' filter)* ']')?
    filter     := KEY '=' VALUE ('|' VALUE)*        KEY: region group area category resource year
                                                    year VALUE: t, t-1, t+1 or a year such as 2030;
                                                    quote ids with spaces or hyphens: region='Beijing-1'

Errors carry the position in the text, and `caret()` draws it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

QUANTITIES = {
    "alloc": "new allocation in the year (money: 100m yuan; personnel: FTE; space: 10k m2)",
    "spend": "new fiscal money in the year, 100m yuan (alloc with resource=fiscal)",
    "level": "baseline plus everything allocated so far (same units as alloc)",
    "need": "population x standard (same units as alloc)",
    "unmet": "need not met (same units as alloc)",
    "pop": "population, 10k people",
    "pcs": "per-capita spending of the selected regions together, yuan/person",
}
FILTER_KEYS = ("region", "group", "area", "category", "resource", "year")

_TOKEN = re.compile(r"\s*(?:(?P<str>'[^']*'|\"[^\"]*\")|(?P<name>[^\W\d][\w.]*|\d+[^\W\d][\w.]*)|"
                    r"(?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)|(?P<op>>=|<=|==|[-+*/()\[\],=|]))", re.UNICODE)


class ExprError(ValueError):
    def __init__(self, message: str, pos: int, text: str):
        self.pos, self.text = pos, text
        super().__init__(message)

    def caret(self) -> str:
        return f"{self.text}\n{' ' * self.pos}^ {self}"


@dataclass
class Num:
    value: float
    pos: int


@dataclass
class Target:
    pos: int


@dataclass
class Quantity:
    name: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    pos: int = 0


@dataclass
class BinOp:
    op: str
    left: object
    right: object
    pos: int


@dataclass
class Neg:
    operand: object
    pos: int


@dataclass
class Constraint:
    left: object
    sense: str
    right: object
    text: str


def tokenize(text: str) -> list[tuple[str, str, int]]:
    out, i = [], 0
    while i < len(text):
        if text[i:].strip() == "":
            break
        m = _TOKEN.match(text, i)
        if not m or m.end() == i:
            j = i + len(text[i:]) - len(text[i:].lstrip())
            raise ExprError(f"unexpected character '{text[j]}'", j, text)
        kind = m.lastgroup
        start = m.start(kind)
        out.append((kind, m.group(kind), start))
        i = m.end()
    out.append(("end", "", len(text)))
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = tokenize(text)
        self.i = 0

    def peek(self):
        return self.toks[self.i]

    def take(self, value: str | None = None, kind: str | None = None):
        tok = self.toks[self.i]
        if (value is not None and tok[1] != value) or (kind is not None and tok[0] != kind):
            want = f"'{value}'" if value else kind
            found = f"'{tok[1]}'" if tok[1] else "the end"
            raise ExprError(f"expected {want}, found {found}", tok[2], self.text)
        self.i += 1
        return tok

    def constraint(self) -> Constraint:
        left = self.side()
        tok = self.peek()
        if tok[1] not in (">=", "<=", "=="):
            raise ExprError(f"expected a comparison (>=, <= or ==), found {repr(tok[1]) if tok[1] else 'the end'}", tok[2], self.text)
        self.i += 1
        right = self.side()
        if self.peek()[0] != "end":
            raise ExprError(f"unexpected '{self.peek()[1]}' after the constraint", self.peek()[2], self.text)
        return Constraint(left, tok[1], right, self.text)

    def side(self):
        node = self.term()
        while self.peek()[1] in ("+", "-"):
            _, op, pos = self.take()
            node = BinOp(op, node, self.term(), pos)
        return node

    def term(self):
        node = self.factor()
        while self.peek()[1] in ("*", "/"):
            _, op, pos = self.take()
            node = BinOp(op, node, self.factor(), pos)
        return node

    def factor(self):
        kind, value, pos = self.peek()
        if kind == "num":
            self.i += 1
            return Num(float(value), pos)
        if value == "-":
            self.i += 1
            return Neg(self.factor(), pos)
        if value == "(":
            self.i += 1
            node = self.side()
            self.take(")")
            return node
        if kind == "name":
            if value == "target":
                self.i += 1
                return Target(pos)
            if value == "sum":
                self.i += 1
                self.take("(")
                q = self.quantity()
                self.take(")")
                return q
            return self.quantity()
        raise ExprError(f"expected a number, a quantity or '(', found {repr(value) if value else 'the end'}", pos, self.text)

    def quantity(self) -> Quantity:
        _, name, pos = self.take(kind="name")
        if name not in QUANTITIES:
            raise ExprError(f"unknown quantity '{name}'; known: {', '.join(QUANTITIES)}", pos, self.text)
        q = Quantity(name, {}, pos)
        if self.peek()[1] == "[":
            self.i += 1
            while True:
                _, key, kpos = self.take(kind="name")
                if key not in FILTER_KEYS:
                    raise ExprError(f"unknown filter '{key}'; known: {', '.join(FILTER_KEYS)}", kpos, self.text)
                if key in q.filters:
                    raise ExprError(f"filter '{key}' given twice", kpos, self.text)
                self.take("=")
                values = [self._value()]
                while self.peek()[1] == "|":
                    self.i += 1
                    values.append(self._value())
                q.filters[key] = values
                if self.peek()[1] == "]":
                    self.i += 1
                    break
                self.take(",")
        return q

    def _value(self) -> str:
        kind, value, pos = self.peek()
        if kind == "str":  # quoted: ids with spaces or hyphens
            self.i += 1
            return value[1:-1]
        if kind not in ("name", "num"):
            raise ExprError(f"expected a value, found {repr(value) if value else 'the end'}", pos, self.text)
        self.i += 1
        if value == "t" and self.peek()[1] in ("+", "-"):  # t-1, t+1
            _, sign, _ = self.take()
            _, n, _ = self.take(kind="num")
            return f"t{sign}{int(float(n))}"
        return value[:-2] if kind == "num" and value.endswith(".0") else value


def parse(text: str) -> Constraint:
    return _Parser(text).constraint()
