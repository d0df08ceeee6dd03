"""Data-quality problems planted in the generated data, so that the quick start shows the audits
(sql/audits) at work and the tests can find exactly these, PSA 2024:

- TARGET_JUMP: Seluma's target in the recaps is three times last year's (and its achievement drops with it);
- RECAP_OVERSTATED: the national recap's row for Sumatera Selatan states 20% more acceptors than its
  kabupaten/kota served (and than its facilities reported);
- EXTREME_DAY: one facility in Kota Banjarmasin reports twenty times the median of its peers (the facilities
  of its kind there that day), taken from the other facilities, so that the city's total still matches
  the recap;
- LATE_REGENCY: every facility in Kepahiang sends its report the morning after the deadline.

The first two are in the campaign figures (generate/figures.py, generate/recaps.py); the last two are
planted on the output of generate/facilities.py by generate/facility_faults.py.
"""

YEAR = 2024
TARGET_JUMP = {"year": YEAR, "regency": "1705", "factor": 3}
RECAP_OVERSTATED = {"year": YEAR, "province": "16", "factor": 1.2}
EXTREME_DAY = {"year": YEAR, "regency": "6371", "times_peer_median": 20}
LATE_REGENCY = {"year": YEAR, "regency": "1708", "days_late": 1}
