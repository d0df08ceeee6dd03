"""The SQL models: sql/staging and sql/marts, run in dependency order.

Each model is one SELECT in sql/<schema>/<name>.sql, materialised as table <schema>.<name>; its
first comment line states the grain. A model's dependencies are the other models it names. Models
with a <name>.yml beside them get their description and column comments written into the database.

Every model has a campaign_year column, and its rows of a year are built from that year's inputs
alone; so after a load that touched some years, only those years' rows are rebuilt, unless a model's
SQL or the reference data (the ref schema) changed since it was built (audit.model_builds), which
rebuilds everything.
"""

import hashlib
import re
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb
import yaml

from kbetl.warehouse.database import SQL_DIR, sql_literal

MODEL_SCHEMAS = ("staging", "marts")


@dataclass(frozen=True)
class Model:
    schema: str
    name: str
    sql: str
    docs: dict | None

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def grain(self) -> str:
        first = self.sql.lstrip().splitlines()[0]
        return first.removeprefix("--").strip().removeprefix("grain:").strip()


def discover_models(sql_dir: Path = SQL_DIR) -> dict[str, Model]:
    models = {}
    for schema in MODEL_SCHEMAS:
        for path in sorted((sql_dir / schema).glob("*.sql")):
            docs_path = path.with_suffix(".yml")
            docs = yaml.safe_load(docs_path.read_text()) if docs_path.exists() else None
            model = Model(schema, path.stem, path.read_text(), docs)
            models[model.table] = model
    return models


def build_order(models: dict[str, Model]) -> list[Model]:
    graph = {}
    for table, model in models.items():
        named = set(re.findall(r"\b((?:staging|marts)\.\w+)\b", model.sql))
        graph[table] = {t for t in named if t in models and t != table}
    return [models[t] for t in TopologicalSorter(graph).static_order()]


def run_transforms(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR,
                   years: list[int] | None = None) -> list[str]:
    """Rebuilds the models in one transaction: all of them, or, given years, those campaign years' rows
    of each. Returns the tables built, in order."""
    ordered = build_order(discover_models(sql_dir))
    keys = _build_keys(con, ordered)
    if years is not None and dict(con.execute("select model, sql_sha256 from audit.model_builds").fetchall()) != keys:
        years = None
    if years == []:
        return []
    con.execute("begin")
    try:
        for model in ordered:
            if years is None:
                con.execute(f"create or replace table {model.table} as\n{model.sql}")
                _comment(con, model)
            else:
                chosen = ", ".join(str(int(y)) for y in years)  # literal, so that the filter reaches the scans
                con.execute(f"delete from {model.table} where campaign_year in ({chosen})")
                con.execute(f"insert into {model.table} by name\nselect * from (\n{model.sql}\n)\n"
                            f"where campaign_year in ({chosen})")
        if years is None:
            con.execute("delete from audit.model_builds")
            con.execute("insert into audit.model_builds select unnest(?), unnest(?), now()",
                        [list(keys), list(keys.values())])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return [m.table for m in ordered]


def _build_keys(con: duckdb.DuckDBPyConnection, models: list[Model]) -> dict[str, str]:
    """Each model's key: the hash of its SQL and of the reference data (a new target group or region
    group changes every year's rows, not only the years a load touched)."""
    tables = [t for (t,) in con.execute("select table_name from duckdb_tables() where schema_name = 'ref' "
                                        "and database_name = current_database() order by 1").fetchall()]
    reference = ";".join(f"{t}:{con.execute(f'select count(*), sum(hash(r)) from ref.{t} r').fetchone()}"
                         for t in tables)
    return {m.table: hashlib.sha256((m.sql + reference).encode()).hexdigest() for m in models}


def _comment(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    if not model.docs:
        return
    description = f"{model.docs['description'].strip()} Grain: {model.grain}."
    con.execute(f"comment on table {model.table} is {sql_literal(description)}")
    for column, text in model.docs.get("columns", {}).items():
        con.execute(f"comment on column {model.table}.{column} is {sql_literal(text.strip())}")
