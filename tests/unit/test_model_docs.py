"""The models document themselves: the committed docs are what `kbetl docs` writes, every mart is described,
and every model names its grain."""

from kbetl.docs import DOCS_DIR, contracts_markdown, marts_markdown
from kbetl.warehouse.transform import discover_models


def test_committed_docs_are_what_kbetl_docs_generates():
    assert (DOCS_DIR / "marts.md").read_text() == marts_markdown(), "run `make docs`"
    assert (DOCS_DIR / "contracts.md").read_text() == contracts_markdown(), "run `make docs`"


def test_every_mart_has_a_documented_description_and_columns():
    for model in discover_models().values():
        if model.schema == "marts":
            assert model.docs and model.docs["description"].strip() and model.docs["columns"], model.table


def test_models_declare_their_grain_in_the_first_comment_line():
    for model in discover_models().values():
        assert model.sql.startswith("-- grain: one row per"), model.table
