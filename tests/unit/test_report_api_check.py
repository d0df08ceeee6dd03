"""Report API records checked against the daily contract before they load: JSON values of the wrong type,
days outside the window asked for, an export of the wrong column types. No server: the records are built here."""





def test_json_values_of_the_wrong_type_are_quarantined_before_the_checks():
    import pandas as pd

    from kbetl.sources.report_api.decode import decode_records

    good = {"facility_code": "1701001", "regency_code": "1701", "method": "pill", "service_type": "new",
            "acceptors": 1, "report_date": "2022-06-15", "reported_at": "2022-06-15T08:00:00+07:00",
            "updated_at": "2022-06-15T08:00:00+07:00", "file_sha256": "x", "file_name": "/v1/x"}
    raw = pd.DataFrame([{**good, **change, "source_row": i} for i, change in enumerate([
        {}, {"report_date": "15/06/2022"}, {"acceptors": 2.5}, {"reported_at": "2022-06-15T08:00:00"},
        {"acceptors": None}], 1)], dtype=object)
    records, undecodable = decode_records(raw)
    assert records["source_row"].tolist() == [1, 5], "a missing value is left for the contract's not-null check"
    assert undecodable[["source_row", "check_name", "value"]].values.tolist() == [
        [3, "whole_number", "2.5"], [2, "iso_date", "15/06/2022"], [4, "timestamp_with_zone", "2022-06-15T08:00:00"]]
    assert str(records["reported_at"].iloc[0]) == "2022-06-15 01:00:00+00:00"


