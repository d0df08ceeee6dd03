"""Figures published by BKKBN and provincial offices that generated data must reproduce exactly."""

# (year, province code): {"target": …, "achieved": …, "regencies": {register name: achieved}}
PUBLISHED_PROVINCES = {
    (2022, "17"): {
        "target": 12447,
        "achieved": 17974,
        "regencies": {
            "Kab. Bengkulu Selatan": 2282, "Kab. Bengkulu Tengah": 1155, "Kab. Bengkulu Utara": 2922,
            "Kab. Kaur": 1943, "Kab. Kepahiang": 1029, "Kota Bengkulu": 2488, "Kab. Lebong": 958,
            "Kab. Muko Muko": 1344, "Kab. Rejang Lebong": 1759, "Kab. Seluma": 2094,
        },
    },
    (2021, "63"): {"target": 31155, "achieved": 39418},
    (2022, "63"): {"target": 41145, "achieved": 43634},
    (2023, "63"): {"target": 30643, "achieved": 45747},
    (2024, "63"): {"target": 36450},
}

# Ogan Komering Ilir, PSA 2024: target 4.000, "5.000 lebih" served, 134%; first among kabupaten/kota
# of Sumatera Selatan with a target "above 4.000" (its own target is 4.000, so the group is 4.000 and up).
OKI_2024 = {"year": 2024, "province": "16", "regency": "1602", "target": 4000, "achieved": 5360}

# Hulu Sungai Tengah, Kalimantan Selatan, PSA 2024: the fastest kabupaten in the province to reach 100%.
HST_2024 = {"year": 2024, "province": "63", "regency": "6307"}
