"""Numbers the Indonesian way: '.' groups thousands, ',' is the decimal mark (17.974; 144,40)."""


def id_number(value) -> str:
    return "-" if value is None else f"{value:,}".replace(",", ".")


def id_pct(value) -> str:
    return "-" if value is None else f"{value:.2f}".replace(".", ",")
