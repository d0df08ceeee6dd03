"""README.md and docs/*.md name the `level` values with the marts' own words (docs/marts.md, "Levels"):
a filter copied from them never returns nothing for a misspelt level."""

import re

from kbetl.reference.regions import LEVELS, all_maps
from kbetl.reference.tables import header_aliases
from kbetl.warehouse.database import PROJECT_DIR

PAGES = [PROJECT_DIR / "README.md", *sorted((PROJECT_DIR / "docs").glob("*.md"))]
# words for a level that are no `level` value (prose may use them; a value may not)
LEVEL_WORDS = {"nation", "nasional", "provinsi", "provinces", "kabupaten", "kota", "kabkota", "kabupaten/kota",
               "regencies", "city", "kecamatan", "districts", "subdistrict", "distrik", "desa", "kelurahan"}

# a value given to level: level = 'x', level <> "x", level in ('x', 'y')
COMPARED = re.compile(r"\blevel`?\s*(?:==?|<>|!=)\s*['\"]([^'\"]*)['\"]", re.IGNORECASE)
LISTED = re.compile(r"\blevel`?\s+(?:not\s+)?in\s*\(([^)]*)\)", re.IGNORECASE)
# the meaning of a `level` column in a column table: | `level` | 'national', 'province' … |
COLUMN_ROW = re.compile(r"^\|\s*`level`\s*\|(.*)$", re.MULTILINE)
QUOTED = re.compile(r"['\"]([\w/]+)['\"]")
SINGLE_QUOTED = re.compile(r"(?<![\w'])'([\w/]+)'(?![\w'])")
BACKTICKED = re.compile(r"`([\w/]+)`")


def misnamed_levels(text: str) -> list[str]:
    """Every level value in the text that is not in the vocabulary, with the words around it."""
    found = []
    for match in COMPARED.finditer(text):
        found += [(match.group(1), match.group(0))]
    for match in LISTED.finditer(text):
        found += [(value, match.group(0)) for value in QUOTED.findall(match.group(1))]
    for match in COLUMN_ROW.finditer(text):
        found += [(value, match.group(0)[:80]) for value in SINGLE_QUOTED.findall(match.group(1))]
    # a level word written as a value: quoted as in SQL, or in backticks where it is no header spelling
    header_spellings = set(header_aliases())
    for match in SINGLE_QUOTED.finditer(text):
        if match.group(1).lower() in LEVEL_WORDS:
            found.append((match.group(1), text[max(0, match.start() - 30):match.end() + 10]))
    for match in BACKTICKED.finditer(text):
        word = match.group(1).lower()
        if word in LEVEL_WORDS and word.replace("/", "") not in header_spellings:
            found.append((match.group(1), text[max(0, match.start() - 30):match.end() + 10]))
    return [f"{value!r} in …{context.strip()}…" for value, context in found if value not in LEVELS]


def test_the_vocabulary_is_the_levels_of_the_region_register():
    assert set(all_maps()["level"]) == set(LEVELS)


def test_the_scanner_finds_wrong_level_values_and_leaves_indonesian_prose_alone():
    wrong = ("select * from marts.achievement where level = 'nation'\n"
             "filter on `nation`; level in ('province', 'kecamatan'); `level <> \"kabupaten\"`\n"
             "| `level` | 'national', 'regency' or 'subdistrict' |\n"
             "the row's value is 'kecamatan'")
    assert {m.split(" in ")[0] for m in misnamed_levels(wrong)} == {
        "'nation'", "'kabupaten'", "'kecamatan'", "'subdistrict'"}
    for line in wrong.splitlines():
        assert misnamed_levels(line), line
    prose = ("Kecamatan figures land in `marts.achievement` (`level = 'district'`); the kecamatan of a kabupaten, "
             "the nation's total; header spellings `kecamatan`, `kabkota`, `provinsi`; level in ('regency', "
             "'district')\n| `level` | 'national', 'province', 'regency' (kabupaten/kota) or 'district' (kecamatan). |")
    assert misnamed_levels(prose) == []


def test_readme_and_docs_use_only_the_level_vocabulary():
    problems = {page.name: misnamed_levels(page.read_text()) for page in PAGES}
    assert {name: found for name, found in problems.items() if found} == {}
    assert "## Levels" in (PROJECT_DIR / "docs" / "marts.md").read_text()
