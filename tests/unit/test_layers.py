"""The structure holds: imports point one way (flows → kbetl.runs → kbetl.packages → warehouse → sources →
reference → schemas); the library knows nothing of Prefect or of the development tools."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def python_files(folder: str) -> list[Path]:
    """The modules under a folder, or the one module named."""
    where = ROOT / folder
    return [where] if where.suffix == ".py" else sorted(where.rglob("*.py"))


def imports(folder: str) -> list[tuple[str, int, str, bool]]:
    """(file, line, module imported, at module level) for every import under a folder."""
    found = []
    for path in python_files(folder):
        tree = ast.parse(path.read_text(), str(path))
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            found += [(str(path.relative_to(ROOT)), node.lineno, name, id(node) in top_level) for name in names]
    return found


def offending(folder: str, *forbidden: str) -> list[str]:
    return [f"{file}:{line} imports {name}" for file, line, name, _ in imports(folder)
            if any(name == f or name.startswith(f + ".") for f in forbidden)]


def test_the_library_never_imports_prefect_or_the_development_tools():
    assert offending("kbetl", "prefect", "devtools") == []


def test_only_the_command_line_reaches_the_flows_and_only_when_a_command_runs_one():
    reaching = [(file, line, top) for file, line, name, top in imports("kbetl")
                if name == "flows" or name.startswith("flows.")]
    assert reaching and {file for file, _, _ in reaching} == {"kbetl/cli.py"}
    assert not any(top for _, _, top in reaching), "flows are imported inside the commands that run them"


def test_contracts_stand_alone():
    assert offending("schemas", "kbetl", "flows", "devtools", "prefect") == []


@pytest.mark.parametrize("lower, higher", [
    ("kbetl/reference", ("kbetl.sources", "kbetl.warehouse", "kbetl.packages", "kbetl.runs", "kbetl.reports",
                         "kbetl.cli")),
    ("kbetl/sources", ("kbetl.warehouse", "kbetl.packages", "kbetl.runs", "kbetl.reports", "kbetl.cli")),
    ("kbetl/warehouse", ("kbetl.packages", "kbetl.runs", "kbetl.reports", "kbetl.cli")),
    ("kbetl/packages.py", ("kbetl.warehouse", "kbetl.runs", "kbetl.reports", "kbetl.cli")),
])
def test_lower_layers_never_import_higher_ones(lower, higher):
    """A source never imports the warehouse (it hands it a package); nothing imports a layer above its own."""
    assert offending(lower, *higher) == []


def test_flows_never_import_the_development_tools():
    assert offending("flows", "devtools") == []


def names_imported(folder: str, module: str) -> list[str]:
    """'file:line name' for every name imported from module under a folder."""
    found = []
    for path in python_files(folder):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == module:
                found += [f"{path.relative_to(ROOT)}:{node.lineno} {alias.name}" for alias in node.names]
    return found


def test_flows_write_the_warehouse_only_through_kbetl_runs():
    """No flow opens a run or calls a loader itself: of the run skeleton, a flow takes the writer's slot and
    installs its guard (flows/writer.py), nothing else."""
    assert offending("flows", "kbetl.warehouse.load_recaps", "kbetl.warehouse.load_reports",
                     "kbetl.warehouse.transform") == []
    assert names_imported("flows", "kbetl.sources.report_api") == []
    taken = {line.rsplit(" ", 1)[1] for line in names_imported("flows", "kbetl.warehouse.run")}
    assert taken and taken <= {"writer_slot", "WRITER_LIMIT_ENV"}, taken
    assert [line.split(":")[0] for line in names_imported("flows", "kbetl.warehouse") if line.endswith(" run")] == [
        "flows/writer.py"]


def test_the_warehouse_takes_from_the_sources_only_what_they_hand_it():
    """The loaders read what a source staged (its dataclasses and its manifest), and the daily contract runs
    where the year's records are staged: nothing else of a source's code."""
    taken = {line.split(":")[0].rsplit("/", 1)[1] + " " + line.rsplit(" ", 1)[1]
             for folder in ("kbetl/warehouse",) for module in {name for _, _, name, _ in imports(folder)
                                                               if name.startswith("kbetl.sources.")}
             for line in names_imported(folder, module)}
    assert taken == {"load_recaps.py ValidatedRecap", "load_recaps.py StagedFile", "load_recaps.py shown_name",
                     "load_recaps.py stored_name", "load_recaps.py recap_manifest", "load_reports.py ProvincePull",
                     "load_reports.py Export", "load_reports.py pull_manifest",
                     "load_reports.py source_name", "load_reports.py ContractError",
                     "load_reports.py contract_types", "load_reports.py failed_records",
                     "load_reports.py no_problems"}, taken


def callers(name: str, folders: tuple[str, ...]) -> list[str]:
    """'file:function' (or 'file:<module>') for every call of a function so named."""
    found = []

    def visit(node: ast.AST, where: str, path: Path) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, child.name, path)
                continue
            if isinstance(child, ast.Call) and name in (getattr(child.func, "id", None),
                                                        getattr(child.func, "attr", None)):
                found.append(f"{path.relative_to(ROOT)}:{where}")
            visit(child, where, path)

    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            visit(ast.parse(path.read_text(), str(path)), "<module>", path)
    return sorted(found)


def test_only_a_command_stops_orphaned_prefect_servers_and_only_at_its_start():
    """Importing a module stops nothing: the entry points' main() does (through run_command), once, before the
    command runs."""
    assert callers("stop_orphaned_servers", ("kbetl", "flows", "devtools")) == ["kbetl/cli.py:run_command"]
    assert callers("run_command", ("kbetl", "flows", "devtools")) == ["devtools/cli.py:main", "kbetl/cli.py:main"]


def test_each_source_stands_apart_from_the_others():
    assert offending("kbetl/sources/recaps", "kbetl.sources.report_api") == []
    assert offending("kbetl/sources/report_api", "kbetl.sources.recaps") == []


def test_every_module_says_in_its_first_line_what_it_is():
    missing = []
    for folder in ("kbetl", "flows", "schemas", "devtools"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            docstring = ast.get_docstring(ast.parse(path.read_text()))
            if not docstring or not docstring.strip():
                missing.append(str(path.relative_to(ROOT)))
    assert missing == []


def references(folder: str, names: set[str]) -> list[str]:
    """'file:function name' for every name, attribute or string constant among names under a folder."""
    found = []

    def visit(node: ast.AST, where: str, path: Path) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, child.name, path)
                continue
            named = (getattr(child, "id", None) or getattr(child, "attr", None)
                     or (child.value if isinstance(child, ast.Constant) and isinstance(child.value, str) else None))
            if named in names:
                found.append(f"{path.relative_to(ROOT)}:{where} {named}")
            visit(child, where, path)

    for path in sorted((ROOT / folder).rglob("*.py")):
        visit(ast.parse(path.read_text(), str(path)), "<module>", path)
    return found


def test_flows_hold_no_branch_on_where_they_run():
    """One path (issue 22): a flow maps its tasks and loads what they made, the same on one machine and on a
    cluster. Only the task-runner choice (flows/fanout.py) reads the cluster's settings; no flow asks them."""
    settings = {"dask_address", "cluster_landing", "shared_landing", "DASK_ENV", "LANDING_ENV",
                "KBETL_DASK_ADDRESS", "KBETL_LANDING"}
    choice = {f"flows/fanout.py:{where}" for where in ("<module>", "dask_address", "check_scheduler",
                                                       "_shared_landing_set", "task_runner")}
    asking = [line for line in references("flows", settings) if line.split(" ")[0] not in choice]
    assert asking == []
    assert any(line.startswith("flows/fanout.py:task_runner dask_address") for line in references("flows", settings))
