"""Issue 20, cases 2, 7 and 8: the digest's recipients CSV as a spreadsheet saves it (a BOM), a scope that
is no code and a URL written where a variable name belongs are sentences naming file and row; a run whose
every delivery failed exits non-zero, while the nightly records the failures and completes."""

from pathlib import Path

from kbetl.reports.delivery import read_recipients
from tests.helpers.warehouse import query
from tests.hostile.commands_helpers import kbetl, pulled_only, sentence  # noqa: F401 (a fixture)

DAY = ("--date", "2022-06-15")


def _recipients(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "penerima.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_a_recipients_csv_saved_as_csv_utf8_with_a_bom_is_read(tmp_path, pulled_only):  # noqa: F811
    csv = _recipients(tmp_path, "scope_code,url_env\r\n17,KBETL_DIGEST_17\r\n", "utf-8-sig")
    assert [(r.scope_code, r.url_env) for r in read_recipients(csv)] == [("17", "KBETL_DIGEST_17")]
    result = kbetl(tmp_path, "digest", "--db", pulled_only, *DAY, "--recipients", csv, "--dry-run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "*PSA 2022 – Bengkulu*" in result.stdout


def test_a_scope_that_is_no_code_is_one_sentence_naming_the_row(tmp_path, pulled_only):  # noqa: F811
    csv = _recipients(tmp_path, "# penerima ringkasan\nscope_code,url_env\n17,KBETL_DIGEST_17\nabc,KBETL_DIGEST_X\n")
    result = kbetl(tmp_path, "digest", "--db", pulled_only, *DAY, "--recipients", csv)
    assert result.returncode == 1
    assert sentence(result) == ("penerima.csv baris 4: scope_code harus kode provinsi (2 angka), kabupaten/kota "
                                "(4 angka) atau 00 untuk nasional.")


def test_a_url_in_place_of_a_variable_name_is_refused_without_repeating_it(tmp_path, pulled_only):  # noqa: F811
    csv = _recipients(tmp_path, "scope_code,url_env\n17,tgram://123456:SECRETTOKEN/-100200\n")
    result = kbetl(tmp_path, "digest", "--db", pulled_only, *DAY, "--recipients", csv)
    assert result.returncode == 1
    assert sentence(result).startswith("penerima.csv baris 2: url_env harus NAMA variabel lingkungan")
    assert "SECRETTOKEN" not in result.stdout + result.stderr and "tgram" not in result.stdout + result.stderr


def test_a_recipients_file_that_is_not_utf8_text_is_one_sentence(tmp_path, pulled_only):  # noqa: F811
    csv = _recipients(tmp_path, "scope_code,url_env\n17,KBETL_DIGEST_17\n", "utf-16")
    result = kbetl(tmp_path, "digest", "--db", pulled_only, *DAY, "--recipients", csv)
    assert result.returncode == 1
    assert sentence(result).startswith("penerima.csv bukan teks UTF-8")


def test_a_run_where_every_delivery_failed_exits_non_zero_and_records_them(tmp_path, pulled_only):  # noqa: F811
    csv = _recipients(tmp_path, "scope_code,url_env\n17,KBETL_TEST_UNSET_A\n1771,KBETL_TEST_UNSET_B\n")
    result = kbetl(tmp_path, "digest", "--db", pulled_only, *DAY, "--recipients", csv)
    assert result.returncode == 1
    assert sentence(result).startswith("Tidak satu pun ringkasan terkirim: 2 pengiriman gagal dan dicatat")
    assert query(pulled_only, "select scope_code, status from audit.digest_deliveries where digest_date = ? "
                              "order by 1", ["2022-06-15"]) == [("17", "failed"), ("1771", "failed")]


def test_the_nightly_records_failed_deliveries_and_goes_on(tmp_path, pulled_only, monkeypatch, capsys):  # noqa: F811
    from datetime import date

    from flows.nightly import _send_digests

    csv = _recipients(tmp_path, "scope_code,url_env\n17,KBETL_TEST_UNSET_A\n")
    monkeypatch.setenv("KBETL_DIGEST_RECIPIENTS", str(csv))
    monkeypatch.delenv("KBETL_TEST_UNSET_A", raising=False)
    _send_digests(str(pulled_only), None, date(2022, 6, 16))  # returns: the night's load is not failed
    assert "failed (environment variable KBETL_TEST_UNSET_A is not set)" in capsys.readouterr().out
    assert query(pulled_only, "select status from audit.digest_deliveries where digest_date = ?",
                 ["2022-06-16"]) == [("failed",)]


def test_a_since_that_is_no_earlier_digest_is_one_sentence(tmp_path, pulled_only):  # noqa: F811
    for since in ("10:00", "2022-06-15", "kemarin"):
        result = kbetl(tmp_path, "digest", "--db", pulled_only, *DAY, "--province", "17", "--at", "10:00",
                       "--since", since)
        assert result.returncode != 0 and "Traceback" not in result.stderr, since
        assert sentence(result).startswith(f"--since '{since}' harus waktu ringkasan sebelumnya"), since
    earlier = kbetl(tmp_path, "digest", "--db", pulled_only, *DAY, "--province", "17", "--at", "10:00",
                    "--since", "09:00")
    assert earlier.returncode == 0 and "Sejak ringkasan 09.00 WIB: +" in earlier.stdout, earlier.stderr[-2000:]
