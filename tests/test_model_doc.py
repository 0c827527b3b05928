"""docs/model.md is what an independent implementation is written from (issue 21.4): every family the model
builds has its rows on the page, and every symbol its formulas index is named, once, in its Symbols list."""
import re
from pathlib import Path

from optimizer.models import registry

PAGE = (Path(__file__).resolve().parents[1] / "docs" / "model.md").read_text(encoding="utf-8")
SYMBOLS = PAGE[PAGE.index("**Symbols.**"):PAGE.index("## A scenario file")]


def _formulas(text: str) -> str:
    """The page's code spans and indented formula blocks."""
    return " ".join(re.findall(r"`([^`]*)`", text)) + " " + " ".join(ln for ln in text.splitlines() if ln.startswith("    "))


def _indexed(text: str) -> set[str]:
    """Names written with an index, `x[r,c,t]`; scenario keys (`categories[].bounds`) are not symbols."""
    return {m.group(1) for m in re.finditer(r"(?<![\w.<])([A-Za-zα-ωΑ-Ωℓ][\w']*)\[(?!\])", _formulas(text))}


def test_every_family_built_has_its_rows_on_the_page():
    registry.load_all()
    families = PAGE[PAGE.index("## Constraint families"):PAGE.index("## Objective")]
    written = set(re.findall(r"^- \*\*(\w+)\*\*", families, flags=re.M))
    built_in = {name for name, fam in registry.FAMILIES.items()
                if Path(fam.build.__code__.co_filename).parent == Path(registry.__file__).parent}
    assert built_in and not built_in - written, sorted(built_in - written)


def test_every_indexed_symbol_is_named_in_the_symbols_list():
    named = set(re.findall(r"[A-Za-zα-ωΑ-Ωℓ][\w']*", SYMBOLS))  # b[r,k] names b
    missing = sorted(n for n in _indexed(PAGE) if n not in named and n.split("_")[0] not in named)
    assert not missing, f"symbols the formulas index but the Symbols list does not name: {missing}"


def test_the_symbols_check_sees_a_new_symbol():
    """The check above is not vacuous: a formula with an undefined symbol is caught."""
    assert "q9" in _indexed(PAGE + "\n- **new**: `q9[r,t] ≥ 0`") - _indexed(PAGE)
    assert {"x", "s", "u", "N", "pop", "ppu", "o", "ren", "n"} <= _indexed(PAGE)
