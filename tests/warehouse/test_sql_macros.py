"""The SQL macros every model shares (sql/macros.sql), checked against Python's own arithmetic."""

import random
from decimal import ROUND_HALF_UP, Decimal

from kbetl.warehouse.database import SQL_DIR, connect
from kbetl.warehouse.reference import load_reference


def test_a_percentage_of_counts_is_rounded_half_away_from_zero_exactly(db):
    con = connect(db)
    load_reference(con)  # some macros read the reference tables
    con.execute((SQL_DIR / "macros.sql").read_text())
    rng = random.Random(24)
    pairs = [(6189, 4000), (-6189, 4000), (1, 3), (2, 3), (0, 5), (1, 8), (7, 8), (10**15 + 5, 2 * 10**13)]
    pairs += [(rng.randint(-10**7, 10**7), rng.randint(1, 10**6)) for _ in range(2000)]
    got = [con.execute("select pct(?::bigint, ?::bigint)", [p, w]).fetchone()[0] for p, w in pairs]
    expected = [(Decimal(p) * 100 / Decimal(w)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for p, w in pairs]
    assert got[:2] == [Decimal("154.73"), Decimal("-154.73")]  # 6.189 of 4.000: 154,725 %
    assert got == expected
    assert con.execute("select pct(5, 0)").fetchone() == (None,)
