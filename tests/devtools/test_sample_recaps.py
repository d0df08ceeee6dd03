"""The bundled sample recaps and current-users exports are what the seeded generators write."""

from devtools.cli import CURRENT_USERS_SAMPLE_DIR
from devtools.generate.current_users import generate_current_users
from devtools.generate.recaps import generate_samples
from tests.helpers.warehouse import SAMPLE_DIR


def test_bundled_samples_are_what_the_seeded_generator_writes(tmp_path):
    written = generate_samples(tmp_path)
    bundled = sorted(p.relative_to(SAMPLE_DIR) for p in SAMPLE_DIR.rglob("*") if p.is_file())
    assert sorted(p.relative_to(tmp_path) for p in written) == bundled
    for relative in bundled:
        assert (tmp_path / relative).read_bytes() == (SAMPLE_DIR / relative).read_bytes(), relative


def test_bundled_current_users_are_what_the_seeded_generator_writes(tmp_path):
    written = generate_current_users(tmp_path)
    bundled = sorted(p.relative_to(CURRENT_USERS_SAMPLE_DIR) for p in CURRENT_USERS_SAMPLE_DIR.rglob("*")
                     if p.is_file())
    assert sorted(p.relative_to(tmp_path) for p in written) == bundled and bundled
    for relative in bundled:
        assert (tmp_path / relative).read_bytes() == (CURRENT_USERS_SAMPLE_DIR / relative).read_bytes(), relative
