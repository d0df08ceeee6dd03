"""A province pulled from a real report API (its export, or its JSON pages) written as a package and read back
is what it was: every table with its types, every response's bytes, its manifest (tests/unit/test_packages.py
holds the rest of the format)."""


import pytest

from devtools.generate.facilities import generate_facility_data
from devtools.report_api_server import Faults, running_server
from kbetl import packages
from kbetl.reference.tables import campaign_days
from kbetl.sources.report_api.client import TOKEN_ENV
from kbetl.sources.report_api.manifest import pull_manifest
from kbetl.sources.report_api.pull import pull_one_province
from tests.helpers.items import read_from_files, same

TOKEN = "package-token"


@pytest.mark.parametrize("faults", [Faults(), Faults(no_export=True)], ids=["export", "json-pages"])
def test_a_province_pull_lands_and_reads_back_as_it_was(tmp_path, monkeypatch, faults):
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    with running_server(generate_facility_data([2024], ["17"], scale=0.05), TOKEN, faults=faults) as server:
        pulled = pull_one_province(server.base_url, 2024, "17", campaign_days(2024), tmp_path / "exports")
    assert pulled.status == "pulled" and pulled.landings and bool(pulled.export) == (not faults.no_export)
    written = packages.write_pull_package(pulled, tmp_path)
    manifest = packages.read_manifest(written)
    back = read_from_files(packages.read_pull_package, written)
    same(pulled, back)
    assert manifest == {**{"format": packages.FORMAT, **pull_manifest(back)}, "tables": manifest["tables"]}
    assert manifest["version"] == pulled.export.sha256 if pulled.export else len(manifest["version"]) == 64
    assert manifest["rows"]["read"] == pulled.records_in > 0
    assert not (tmp_path / "pulls").exists() or not any((tmp_path / "pulls").iterdir())
