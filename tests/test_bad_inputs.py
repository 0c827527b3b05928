"""The corpus of malformed scenarios: each exits 1 naming file (and line), with its
expected message, no traceback, and writes nothing."""
from __future__ import annotations

import json
import re

import pytest

from conftest import TESTS

CORPUS = TESTS / "bad_inputs"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def test_corpus_is_large_enough():
    assert len(EXPECTED) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input(name, invoke, tmp_path):
    path = CORPUS / f"{name}.yaml"
    out = tmp_path / "out"
    r = invoke("solve", path, "--out", out)
    text = r.output
    assert r.exit_code == 1, text
    assert EXPECTED[name] in text, text
    assert "Traceback" not in text
    assert re.search(r"\.(yaml|csv|xlsx|json)(:\d+)?", text), "names the file"
    if name not in ("empty_file", "extends_missing_file", "table_missing_file", "extends_cycle") and "table_" not in name:
        assert re.search(rf"{re.escape(name)}\.yaml:\d+", text), "names the line"
    assert not out.exists() and list(tmp_path.iterdir()) == []
