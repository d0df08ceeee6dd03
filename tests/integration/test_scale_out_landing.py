"""What crosses machines are files: a staged recap and a province's pull, landed and read back, are what they
were (every table with its types, every response's bytes), and reading one removes it."""

from dataclasses import fields, is_dataclass

import pandas as pd
import pytest

from devtools.generate.facilities import generate_facility_data
from devtools.report_api_server import Faults, running_server
from kbetl import landing
from kbetl.reference.tables import campaign_days
from kbetl.sources.recaps.stage import find_recap_files, stage_recap
from kbetl.sources.report_api.client import TOKEN_ENV
from kbetl.sources.report_api.pull import pull_one_province
from tests.helpers.warehouse import SAMPLE_DIR

TOKEN = "landing-token"


def same(left, right) -> None:
    """Field by field, item by item; tables with their dtypes."""
    assert type(left) is type(right)
    if isinstance(left, pd.DataFrame):
        pd.testing.assert_frame_equal(left, right, check_dtype=True)
    elif is_dataclass(left):
        for f in fields(left):
            same(getattr(left, f.name), getattr(right, f.name))
    elif isinstance(left, list):
        assert len(left) == len(right)
        for a, b in zip(left, right):
            same(a, b)
    else:
        assert left == right


def test_every_sample_recap_staged_lands_and_reads_back_as_it_was(tmp_path):
    files = find_recap_files([SAMPLE_DIR / "2022", SAMPLE_DIR / "2023"])
    for path in files:
        staged = stage_recap(path)
        landed = landing.write_staged(staged, tmp_path)
        same(staged, landing.read_staged(landed))
        assert not landed.exists()
    assert files and not any(tmp_path.rglob("*.parquet"))


@pytest.mark.parametrize("faults", [Faults(), Faults(no_export=True)], ids=["export", "json-pages"])
def test_a_province_pull_lands_and_reads_back_as_it_was(tmp_path, monkeypatch, faults):
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    with running_server(generate_facility_data([2024], ["17"], scale=0.05), TOKEN, faults=faults) as server:
        pulled = pull_one_province(server.base_url, 2024, "17", campaign_days(2024), tmp_path / "exports")
    assert pulled.status == "pulled" and pulled.landings and bool(pulled.export) == (not faults.no_export)
    back = landing.read_pull(landing.write_pull(pulled, tmp_path))
    same(pulled, back)
    assert not (tmp_path / "pulls").exists() or not any((tmp_path / "pulls").iterdir())


def test_a_landed_item_is_read_only_as_what_it_is(tmp_path):
    landed = landing.write_staged(stage_recap(find_recap_files([SAMPLE_DIR / "2022"])[0]), tmp_path)
    with pytest.raises(ValueError, match="holds a StagedFile, not a ProvincePull"):
        landing.read_pull(landed)
