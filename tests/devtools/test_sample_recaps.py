"""The bundled sample recaps are what the seeded generator writes."""

from devtools.generate.recaps import generate_samples
from tests.helpers.warehouse import SAMPLE_DIR


def test_bundled_samples_are_what_the_seeded_generator_writes(tmp_path):
    written = generate_samples(tmp_path)
    bundled = sorted(p.relative_to(SAMPLE_DIR) for p in SAMPLE_DIR.rglob("*") if p.is_file())
    assert sorted(p.relative_to(tmp_path) for p in written) == bundled
    for relative in bundled:
        assert (tmp_path / relative).read_bytes() == (SAMPLE_DIR / relative).read_bytes(), relative
