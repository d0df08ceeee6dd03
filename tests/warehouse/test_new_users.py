"""New acceptors (peserta KB baru, issue 25): a third kind, told by its title or PB headers or --kind new-users,
with its own mart from the same figures by level as the other kinds, never mixed with PSA or current users."""

from decimal import Decimal

from kbetl.runs import load_recaps
from kbetl.sources.recaps.stage import stage_recap
from tests.helpers.field_files import BANTUL_NEW_USERS, write_new_users, write_year_rows
from tests.helpers.warehouse import query


def load(db, path, **options):
    return load_recaps(db, [stage_recap(path, **options)], "test")


def test_new_acceptors_per_kecamatan_land_in_their_own_mart_only(db, tmp_path):
    summary = load(db, write_new_users(tmp_path / "pb_bantul_2022.csv"))
    assert [(r.status, r.rows_accepted, r.rows_quarantined, r.findings) for r in summary.results] == [
        ("loaded", 4, 0, 1)]  # the kecamatan rows, the total row; the kecamatan missing are a finding
    assert query(db, "select report_kind, row_level, scope_code from marts.recap_files") == [
        ("new_users", "district", "3402")]
    rows = query(db, "select region_name, target, new_users, iud, mow, mop, implant, injectable, pill, condom, "
                     "figures_from, source_row from marts.new_users where level = 'district' order by source_row")
    assert rows == [(name, target, sum(methods), *methods, "reported", row)
                    for row, (name, (target, *methods)) in enumerate(BANTUL_NEW_USERS.items(), 3)]
    columns = list(zip(*BANTUL_NEW_USERS.values()))
    total, mkjp = sum(map(sum, columns[1:])), sum(columns[1]) + sum(columns[2]) + sum(columns[3]) + sum(columns[4])
    assert query(db, "select new_users, target, mkjp_new_users, mkjp_share_pct, figures_from, is_partial "
                     "from marts.new_users where region_code = '3402'") == [
        (total, sum(columns[0]), mkjp, Decimal(f"{100 * mkjp / total:.2f}"), "total_row", False)]
    assert query(db, "select region_code, is_partial, children_reported, children_expected from marts.new_users "
                     "where level = 'province'") == [("34", True, 1, 5)]
    assert query(db, "select count(*) from marts.achievement") == [(0,)]
    assert query(db, "select count(*) from marts.current_users") == [(0,)]


def test_new_acceptors_and_current_users_of_one_region_and_year_do_not_replace_each_other(db, tmp_path):
    load(db, write_new_users(tmp_path / "pb.csv"))
    load(db, write_year_rows(tmp_path / "pa.csv"), region="Bantul", kind="current_users")
    assert query(db, "select file_name, report_kind, is_current from marts.recap_files where campaign_year = 2022 "
                     "order by 1") == [("pa.csv", "current_users", True), ("pb.csv", "new_users", True)]
    assert query(db, "select figures_from from marts.new_users where report_year = 2022 and region_code = '3402'"
                 ) == [("total_row",)]
    assert query(db, "select count(*) from marts.new_users where report_year <> 2022") == [(0,)]

