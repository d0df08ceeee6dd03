"""The SQL models: sql/staging and sql/marts, then the data-quality audits of sql/audits, in dependency order.

Each model is one SELECT in sql/<schema>/<name>.sql, materialised as table <schema>.<name>; its
first comment line states the grain. A model's dependencies are the other models it names. Models
with a <name>.yml beside them get their description and column comments written into the database.

Every model has a campaign_year column, and its rows of a year are built from that year's inputs
alone; so after a load that touched some years, only those years' rows are rebuilt, unless a model's
SQL or the reference data (the ref schema) changed since it was built (audit.model_builds), which
rebuilds everything.

Audits (sql/audits/<check>.sql, table audits.<check>) return the rows that fail a data-quality check.
They run after the models they read, and the marts that read them (marts.data_quality*) after them. An
audit may set a year against the campaigns before it (consistency over time), so audits and the marts
that read them are rebuilt for the years touched and every later campaign year.
"""

import hashlib
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb
import yaml

from kbetl import progress
from kbetl.warehouse.database import SQL_DIR, WarehouseError, rollback, run_once, sql_literal

MODEL_SCHEMAS = ("staging", "marts", "audits")
AUDITS = "audits"
# every audit's rows, each with its check's name (the audit's file name): what marts.data_quality_issues reads.
# An audit returns campaign_year, region_code, value, reference_value and message, and may add a subject and a
# severity (by default 'flag').
ISSUES = f"{AUDITS}.issues"
TABLE_NAME = re.compile(r"\b((?:staging|marts|ref|raw|audit|audits)\.\w+)\b")
ISSUES_TABLE = f"""create or replace table {ISSUES} (
    check_name varchar, campaign_year integer, region_code varchar, subject varchar, severity varchar,
    value double, reference_value double, message varchar)"""


class GrainViolated(WarehouseError):
    """A model built rows its grain does not allow: the run fails and nothing is published."""


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

    @property
    def compares_campaigns(self) -> bool:
        """Sets a year against the campaigns before it (the audits, and models that declare it in their YAML):
        a change to one year changes the rows of every later year."""
        return self.schema == AUDITS or bool((self.docs or {}).get("compares_earlier_campaigns"))

    @property
    def key(self) -> list[str]:
        """The grain's columns, from the model's YAML: unique, and never NULL but for those the YAML lists under
        key_may_be_null; checked after every build."""
        return list((self.docs or {}).get("grain") or [])


def discover_models(sql_dir: Path = SQL_DIR) -> dict[str, Model]:
    models = {}
    for schema in MODEL_SCHEMAS:
        for path in sorted((sql_dir / schema).glob("*.sql")):
            docs_path = path.with_suffix(".yml")
            model = Model(schema, path.stem, _text(path), _yaml(docs_path) if docs_path.exists() else None)
            models[model.table] = model
    return models


def _text(path: Path) -> str:
    stat = path.stat()
    return _read(path, stat.st_mtime_ns, stat.st_size, parse=False)


def _yaml(path: Path):
    stat = path.stat()
    return _read(path, stat.st_mtime_ns, stat.st_size, parse=True)


@lru_cache(maxsize=1024)
def _read(path: Path, mtime_ns: int, size: int, parse: bool):  # noqa: ARG001 - the file's version is the key
    """A model file read (and its YAML parsed, with the C parser) once per version of the file in a process:
    a run reads every model's files, and the pure-Python parser alone took about 10 ms a file."""
    text = path.read_text()
    return yaml.load(text, Loader=yaml.CSafeLoader) if parse else text


def build_order(models: dict[str, Model], sql_dir: Path = SQL_DIR) -> list[Model]:
    """Dependency order, in three phases: the models the audits do not depend on, the models that compare
    campaigns (those of them that are no audit first, then the audits), and the models that read them."""
    macros = _text(sql_dir / "macros.sql")
    audits = {t for t, m in models.items() if m.schema == AUDITS}
    graph = {}
    for table, model in models.items():
        named = tables_named(model.sql, macros)
        graph[table] = {t for t in named if t in models and t != table} | (audits if ISSUES in named else set())
    order = list(TopologicalSorter(graph).static_order())
    comparing: set[str] = set()
    for table in order:
        if models[table].compares_campaigns or graph[table] & comparing:
            comparing.add(table)

    def phase(table: str) -> int:
        model = models[table]
        if table not in comparing:
            return 0
        return (2 if model.schema == AUDITS else 1) if model.compares_campaigns else 3

    return [models[t] for t in sorted(order, key=phase)]


def run_transforms(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR,
                   years: list[int] | None = None) -> list[str]:
    """Rebuilds the models in one transaction: all of them, or, given years, those campaign years' rows
    of each; the years rebuilt leave audit.stale_years in the same transaction. Returns the tables built."""
    ordered = build_order(discover_models(sql_dir), sql_dir)
    macros = _text(sql_dir / "macros.sql")
    run_once(con, macros, "audit.macros_version")
    keys = _build_keys(con, ordered, macros)
    if years is not None and dict(con.execute("select model, sql_sha256 from audit.model_builds").fetchall()) != keys:
        years = None
    if years == []:
        return []
    later = None if years is None else _with_later_campaigns(con, years)
    audits = {m.table for m in ordered if m.schema == AUDITS}
    started = None
    con.execute("create schema if not exists audits")
    con.execute("begin")
    try:
        for model in ordered:
            if model.compares_campaigns and started is None:
                started = time.monotonic()
            if ISSUES in tables_named(model.sql, macros):
                unite_audits(con, [m for m in ordered if m.schema == AUDITS])
            compares = started is not None  # this model or one before it sets years against earlier ones
            if years is None:
                con.execute(f"create or replace table {model.table} as\n{model.sql}")
                _comment(con, model)
            else:
                # literal whole numbers, so that the filter reaches the scans
                chosen = ", ".join(str(int(y)) for y in (later if compares else years))
                con.execute(f"delete from {model.table} where campaign_year in ({chosen})")
                con.execute(f"insert into {model.table} by name\nselect * from (\n{model.sql}\n)\n"
                            f"where campaign_year in ({chosen})")
        audit_seconds = time.monotonic() - started if started is not None else None
        check_grains(con, ordered)
        if years is None:
            con.execute("delete from audit.stale_years")
        else:
            con.execute("delete from audit.stale_years where list_contains(?, campaign_year)", [years])
        if years is None:
            con.execute("delete from audit.model_builds")
            con.execute("insert into audit.model_builds select unnest(?), unnest(?), now()",
                        [list(keys), list(keys.values())])
        con.execute("commit")
    except Exception:
        rollback(con)
        raise
    if audit_seconds is not None:
        progress.emit("audits_built", audits=len(audits), seconds=audit_seconds)
    return [m.table for m in ordered]


@lru_cache(maxsize=1024)
def tables_named(sql: str, macros: str) -> frozenset[str]:
    """The tables an SQL text names, with those named by the macros (sql/macros.sql) it calls, and they call
    (once per text in a process: every run asks it of every model)."""
    code = re.sub(r"--.*$", "", macros, flags=re.M)  # a macro's comments name what others read
    bodies = dict(re.findall(r"create or replace macro (\w+)(.*?)(?=^create or replace macro |\Z)", code,
                             re.S | re.M))
    tables, seen, pending = set(TABLE_NAME.findall(sql)), set(), [sql]
    while pending:
        text = pending.pop()
        called = {m for m in bodies if re.search(rf"\b{m}\(", text)} - seen
        seen |= called
        for name in called:
            tables |= set(TABLE_NAME.findall(bodies[name]))
            pending.append(bodies[name])
    return frozenset(tables)


def unite_audits(con: duckdb.DuckDBPyConnection, audits: list[Model]) -> None:
    """Writes audits.issues from the audits just built: those of the checks listed in ref.quality_checks
    (sql/audits/checks.csv). A listed check without its audit, or an audit not listed, fails the run."""
    listed = {name for (name,) in con.execute("select check_name from ref.quality_checks").fetchall()}
    built = {m.name: m for m in audits}
    if listed != set(built):
        unlisted, missing = sorted(set(built) - listed), sorted(listed - set(built))
        raise WarehouseError("daftar pemeriksaan kualitas data tidak cocok dengan berkasnya: "
                             + "; ".join([f"sql/audits/{n}.sql tidak punya baris di checks.csv" for n in unlisted]
                                         + [f"{n} di checks.csv tidak punya berkas sql/audits/{n}.sql"
                                            for n in missing]))
    con.execute(ISSUES_TABLE)
    names = sorted(listed)
    # one statement (a statement per audit cost twice as much); the union gives an audit without a severity NULL there
    audits = " union all by name ".join(f"select ? as check_name, columns(lambda c: c != 'check_name') "
                                        f"from {built[name].table}" for name in names)
    con.execute(f"insert into {ISSUES} by name select * replace (coalesce(severity, 'flag') as severity) "
                f"from ({audits})", names)


def check_grains(con: duckdb.DuckDBPyConnection, models: list[Model]) -> None:
    """The first of the models (in their order) that built a duplicated or NULL key fails the run, in one sentence
    naming the model and the key. One query finds whether any did (a query per model cost more in round trips
    than in work)."""
    keyed = [model for model in models if model.key]
    if not keyed:
        return
    (first,) = con.execute("select min(position) from (" + " union all ".join(
        f"select {position} as position where exists ({_grain_faults(model)})"
        for position, model in enumerate(keyed)) + ")").fetchone()
    if first is not None:
        _name_grain_fault(con, keyed[first])


def _grain_faults(model: Model) -> str:
    """The keys of a model that occur more than once or hold a NULL, each with its count."""
    required = [column for column in model.key if column not in (model.docs.get("key_may_be_null") or [])]
    nulls = " or ".join(f"{column} is null" for column in required) or "false"
    return f"select {', '.join(model.key)}, count(*) from {model.table} group by all having count(*) > 1 or {nulls}"


def _name_grain_fault(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    # a duplicate, if there is one, sorts first
    *values, count = con.execute(f"{_grain_faults(model)} order by count(*) desc limit 1").fetchone()
    key = ", ".join(model.key)
    where = f"sql/{model.schema}/{model.name}.sql"
    if count > 1:
        raise GrainViolated(f"model {model.table} melanggar grain-nya ({key}): kunci {tuple(values)} "
                            f"muncul {count} kali; tidak ada yang diterbitkan — laporkan ke pengembang "
                            f"beserta berkas {where}")
    raise GrainViolated(f"model {model.table} melanggar grain-nya ({key}): kunci {tuple(values)} berisi "
                        f"NULL; tidak ada yang diterbitkan — laporkan ke pengembang beserta berkas {where}")


def _with_later_campaigns(con: duckdb.DuckDBPyConnection, years: list[int]) -> list[int]:
    """The years and every campaign year after the first of them."""
    later = [y for (y,) in con.execute("select campaign_year from ref.campaigns where campaign_year > ?",
                                       [min(years)]).fetchall()]
    return sorted(set(years) | set(later))


def _build_keys(con: duckdb.DuckDBPyConnection, models: list[Model], macros: str) -> dict[str, str]:
    """Each model's key: the hash of its SQL, of the macros and of the reference data (a new target group or
    region group changes every year's rows, not only the years a load touched)."""
    tables = [t for (t,) in con.execute("select table_name from duckdb_tables() where schema_name = 'ref' "
                                        "and database_name = current_database() order by 1").fetchall()]
    # one query for every table
    sums = " union all ".join(f"select {i} as position, count(*), sum(hash(r)) from ref.{t} r"
                              for i, t in enumerate(tables))
    summed = con.execute(f"{sums} order by position").fetchall() if tables else []
    reference = ";".join(f"{t}:{(count, total)}" for t, (_, count, total) in zip(tables, summed))
    return {m.table: hashlib.sha256((m.sql + macros + reference).encode()).hexdigest() for m in models}


def _comment(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    if not model.docs or "description" not in model.docs:
        return
    description = f"{model.docs['description'].strip()} Grain: {model.grain}."
    con.execute(";\n".join([f"comment on table {model.table} is {sql_literal(description)}"]
                           + [f"comment on column {model.table}.{column} is {sql_literal(text.strip())}"
                              for column, text in model.docs.get("columns", {}).items()]))
