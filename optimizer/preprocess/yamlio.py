"""Safe YAML reading that remembers the line of every key.

Only plain data comes out: mappings, lists, strings, numbers, booleans, null.
Tags that would construct objects are refused, duplicate keys are refused, and
alias expansion is bounded so a "billion laughs" file cannot exhaust memory.
Every input file is read only if it is a regular file within a size limit, and
a document is refused past a nesting depth and a number of values: each limit
is an input error naming it, never a crash or minutes of parsing.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from optimizer.errors import InputError, Problem, Where

Locations = dict[tuple, Where]

_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "map", "seq")
}
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
MAX_NODES = 500_000  # generous for real scenarios (2,850 counties written inline: ~70k), far below an alias bomb
MAX_DEPTH = 50  # lists and mappings inside each other; a scenario needs about 6
MAX_YAML_BYTES = 16 * 2**20  # PyYAML (pure Python) reads 0.2-3 MB/s: bigger data belongs in a table
YAML_ADVICE = "put large data in a table file ({file: data.csv})"


def _not_regular(mode: int) -> str | None:
    """What a path is when it is not a regular file, in the user's words."""
    for test, what in ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                       (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return what
    return None if stat.S_ISREG(mode) else "not a regular file"


def _mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB" if n % 2**20 else f"{n // 2**20} MiB"


def read_regular(path: Path, cap: int, advice: str) -> bytes:
    """The bytes of a regular file of at most `cap` bytes. Anything else is refused before a
    byte is read: /dev/zero or a FIFO never end, and a huge file takes minutes to parse."""
    name = str(path)

    def refuse(message: str) -> InputError:
        return InputError([Problem(Where(name), "", message)])

    try:
        info = os.stat(path)
        kind = _not_regular(info.st_mode)
        if kind:
            raise refuse(f"expected a regular file, found {kind}")
        if info.st_size > cap:
            raise refuse(f"expected a file of at most {_mib(cap)} (opt's limit), found {_mib(info.st_size)}; {advice}")
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)  # one byte more tells a file that grew since stat
    except FileNotFoundError:
        raise refuse("file not found") from None
    except OSError as e:
        raise refuse(f"cannot read the file: {e.strerror}") from None
    if len(data) > cap:
        raise refuse(f"expected a file of at most {_mib(cap)} (opt's limit), found more; {advice}")
    return data


class _Refused(Exception):
    """Raised while composing: a limit was passed at `mark`."""

    def __init__(self, mark, message: str):
        super().__init__(message)
        self.mark, self.message = mark, message


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts while it composes, so that depth and size are refused at the
    limit, not by a RecursionError (PyYAML's composer recurses) or by memory running out."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = self.nodes = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):  # a node composed before: the walker counts its repeats
            return super().compose_node(parent, index)
        mark = self.peek_event().start_mark
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(mark, f"expected at most {MAX_NODES:,} values (keys, items, numbers) in one file "
                                 f"(opt's limit), found more; {YAML_ADVICE}")
        if self.depth >= MAX_DEPTH:
            raise _Refused(mark, f"expected lists and mappings nested at most {MAX_DEPTH} deep (opt's limit; "
                                 "a scenario needs about 6), found deeper")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _compose(text: str, name: str) -> list:
    """The documents' nodes; a YAML error or a passed limit as an InputError."""
    loader = _Loader(text)
    try:
        nodes = []
        while loader.check_node():
            nodes.append(loader.get_node())
        return nodes
    except _Refused as e:
        raise InputError([Problem(Where(name, e.mark.line + 1), "", e.message)]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        msg = " ".join(str(x) for x in (e.context, e.problem) if x)
        raise InputError([Problem(Where(name, line), "", f"YAML syntax error: {msg}")]) from None
    except yaml.YAMLError as e:
        raise InputError([Problem(Where(name), "", f"YAML error: {e}")]) from None
    finally:
        loader.dispose()


def key_text(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


class _Walker:
    def __init__(self, file: str):
        self.file = file
        self.locs: Locations = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.loader = yaml.SafeLoader("")
        self.inside: set[int] = set()  # the collection nodes being walked: an alias to one of them loops

    def where(self, node) -> Where:
        return Where(self.file, node.start_mark.line + 1)

    def walk(self, node, path: tuple) -> Any:
        self.count += 1
        if self.count > MAX_NODES:  # only aliases get here: the composer refused more values written out
            raise InputError([Problem(self.where(node), key_text(path),
                                      f"the document expands to more than {MAX_NODES:,} values "
                                      "(anchors/aliases used as a bomb?); refused")])
        self.locs.setdefault(path, self.where(node))
        if id(node) in self.inside:
            raise InputError([Problem(self.where(node), key_text(path), "expected plain data, found an alias to a "
                                      "collection inside itself ('a: &a [*a]' never ends); refused")])
        if isinstance(node, yaml.CollectionNode):
            self.inside.add(id(node))
            try:
                return self._walk(node, path)
            finally:
                self.inside.discard(id(node))
        return self._walk(node, path)

    def _walk(self, node, path: tuple) -> Any:
        if node.tag not in _PLAIN_TAGS:
            self.problems.append(Problem(self.where(node), key_text(path),
                                         f"expected plain data, found the YAML tag '{node.tag}' "
                                         "(tags that build objects are not allowed)"))
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict = {}
            for knode, vnode in node.value:
                if isinstance(knode, yaml.ScalarNode) and knode.value == "<<":
                    self.problems.append(Problem(self.where(knode), key_text(path),
                                                 "merge keys ('<<') are not supported; use 'extends:' "
                                                 "or write the keys out"))
                    continue
                if not isinstance(knode, yaml.ScalarNode) or knode.tag not in _PLAIN_TAGS:
                    self.problems.append(Problem(self.where(knode), key_text(path),
                                                 "expected a plain key, found a complex or tagged key"))
                    continue
                key = self.scalar(knode, path)
                if key in out:
                    first = self.locs.get(path + (str(key),))
                    self.problems.append(Problem(
                        self.where(knode), key_text(path + (str(key),)),
                        f"duplicate key '{key}' (first given at line {first.line if first else '?'})"))
                    continue
                out[key] = self.walk(vnode, path + (str(key),))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(v, path + (i,)) for i, v in enumerate(node.value)]
        return self.scalar(node, path)

    def scalar(self, node, path: tuple) -> Any:
        value = self.loader.construct_object(node)
        misread = _misread(node, value)
        if misread:
            self.problems.append(Problem(self.where(node), key_text(path),
                                         f"expected a number or quoted text, found {node.value} ({misread}); "
                                         f"write the number, or quote '{node.value}'"))
        return value


def _misread(node, value) -> str | None:
    """How YAML 1.1 reads a plain number nobody means that way, or None: 1:30 is the base-60
    number 90 and 017 the octal number 15 (a written 0x or 0b prefix is meant)."""
    if node.style is not None or node.tag not in _NUMBER_TAGS:
        return None
    if ":" in node.value:
        return f"YAML 1.1 reads it as the base-60 number {value}"
    digits = node.value.lstrip("+-").replace("_", "")
    if node.tag.endswith(":int") and len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
        return f"YAML 1.1 reads a leading 0 as octal: {value}"
    return None


def load_yaml(path: Path) -> tuple[Any, Locations]:
    """Read one YAML file as plain data plus a map from key path to line."""
    name = str(path)
    raw = read_regular(path, MAX_YAML_BYTES, YAML_ADVICE)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError([Problem(Where(name), "", f"expected UTF-8 text, found undecodable bytes ({e.reason} at byte {e.start})")]) from None
    nodes = _compose(text, name)
    if len(nodes) > 1:
        raise InputError([Problem(Where(name, nodes[1].start_mark.line + 1), "",
                                  "expected one YAML document, found several ('---')")])
    if not nodes:
        raise InputError([Problem(Where(name), "", "expected a scenario mapping, found an empty file")])
    walker = _Walker(name)
    data = walker.walk(nodes[0], ())
    if walker.problems:
        raise InputError(walker.problems)
    if not isinstance(data, dict):
        raise InputError([Problem(Where(name, 1), "", f"expected a mapping of keys at the top, found {type(data).__name__}")])
    return data, walker.locs


def load_value(text: str, origin: str) -> Any:
    """One value written on the command line (--set), read as a scenario file's values are:
    the same tags, duplicate keys, base-60 numbers, depth and size refused."""
    nodes = _compose(text, origin)
    if len(nodes) > 1:
        raise InputError([Problem(Where(origin), "", "expected one value, found several YAML documents ('---')")])
    if not nodes:
        return None
    walker = _Walker(origin)
    value = walker.walk(nodes[0], ())
    if walker.problems:
        raise InputError(walker.problems)
    return value


def where_of(locs: Locations, loc: tuple) -> Where | None:
    for n in range(len(loc), -1, -1):
        for variant in (loc[:n], tuple(str(p) if not isinstance(p, int) else p for p in loc[:n]),
                        tuple(str(p) for p in loc[:n])):
            if variant in locs:
                return locs[variant]
    return None


def pretty_path(raw: dict, loc: tuple) -> str:
    """regions[3] -> regions[Sichuan] where the list item has an id."""
    parts, node = [], raw
    for p in loc:
        if isinstance(p, int) and isinstance(node, list):
            item = node[p] if 0 <= p < len(node) else None
            label = p
            if isinstance(item, dict):
                label = item.get("id", item.get("name", p)) or p
            parts.append(f"[{label}]")
            node = item
        else:
            parts.append(f".{p}" if parts else str(p))
            if isinstance(node, dict):
                alt = int(p) if str(p).lstrip("-").isdigit() else str(p)
                node = node.get(p, node.get(alt))
            else:
                node = None
    return "".join(parts)
