"""Runs the SQL models in sql/staging and sql/marts in dependency order.

Each model is one SELECT in sql/<schema>/<name>.sql, materialised as table <schema>.<name>; its
first comment line states the grain. A model's dependencies are the other models it names. Models
with a <name>.yml beside them get their description and column comments written into the database.
"""

import re
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb
import yaml

from kbetl.warehouse import SQL_DIR

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


def run_transforms(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> list[str]:
    """Rebuilds every model in one transaction; returns the tables built, in order."""
    ordered = build_order(discover_models(sql_dir))
    con.execute("begin")
    try:
        for model in ordered:
            con.execute(f"create or replace table {model.table} as\n{model.sql}")
            _comment(con, model)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return [m.table for m in ordered]


def _comment(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    if not model.docs:
        return
    description = f"{model.docs['description'].strip()} Grain: {model.grain}."
    con.execute(f"comment on table {model.table} is {_literal(description)}")
    for column, text in model.docs.get("columns", {}).items():
        con.execute(f"comment on column {model.table}.{column} is {_literal(text.strip())}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
