"""Safe YAML reading that remembers the line of every key.

Only plain data comes out: mappings, lists, strings, numbers, booleans, null.
Tags that would construct objects are refused, duplicate keys are refused, and
alias expansion is bounded so a "billion laughs" file cannot exhaust memory.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from optimizer.errors import InputError, Problem, Where

Locations = dict[tuple, Where]

_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "map", "seq")
}
MAX_NODES = 500_000  # generous for real scenarios, far below an alias bomb


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

    def where(self, node) -> Where:
        return Where(self.file, node.start_mark.line + 1)

    def walk(self, node, path: tuple) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise InputError([Problem(self.where(node), key_text(path),
                                      f"the document expands to more than {MAX_NODES:,} values "
                                      "(anchors/aliases used as a bomb?); refused")])
        self.locs.setdefault(path, self.where(node))
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
                key = self.loader.construct_object(knode)
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
        return self.loader.construct_object(node)


def load_yaml(path: Path) -> tuple[Any, Locations]:
    """Read one YAML file as plain data plus a map from key path to line."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError([Problem(Where(name), "", "file not found")]) from None
    except UnicodeDecodeError as e:
        raise InputError([Problem(Where(name), "", f"expected UTF-8 text, found undecodable bytes ({e.reason} at byte {e.start})")]) from None
    except OSError as e:
        raise InputError([Problem(Where(name), "", f"cannot read the file: {e.strerror}")]) from None
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        msg = " ".join(str(x) for x in (e.context, e.problem) if x)
        raise InputError([Problem(Where(name, line), "", f"YAML syntax error: {msg}")]) from None
    except yaml.YAMLError as e:
        raise InputError([Problem(Where(name), "", f"YAML error: {e}")]) from None
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
