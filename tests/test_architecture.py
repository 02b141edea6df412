"""The import graph of Labb's apps, read with `ast` (imports inside functions included).

Three rules (docs/architecture.md, "Apps and what each may import"):
- no import cycle between modules;
- no module imports a private name (`_x`) of another module, nor reaches one through a
  module it imported (`session._emit`);
- apps import one way: labb <- challenges <- audit <- (accounts, workshops) <- archive <-
  orgadmin; the two apps of one tier import neither each other (accounts and workshops). The project's wiring
  (`labb.urls`, `labb.core_urls`, `labb.views`) may import any app.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Left may be imported by right, never the other way.
TIERS = [["labb"], ["challenges"], ["audit"], ["accounts", "workshops"], ["archive"], ["orgadmin"]]
APPS = [app for tier in TIERS for app in tier]
WIRING = {"labb.urls", "labb.core_urls", "labb.views"}


@dataclass
class ImportGraph:
    modules: set[str] = field(default_factory=set)
    # (importer, imported module, line)
    edges: list[tuple[str, str, int]] = field(default_factory=list)
    # (importer, "module._name", line)
    private: list[tuple[str, str, int]] = field(default_factory=list)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def read_graph(root: Path, packages: list[str]) -> ImportGraph:
    graph = ImportGraph()
    files = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            files[module_name(path, root)] = path
    graph.modules = set(files)

    def ours(name: str) -> bool:
        return name in graph.modules

    for module, path in files.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        is_package = path.name == "__init__.py"
        # Names bound to one of our modules, to catch `alias._private` later.
        bound: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if ours(alias.name):
                        graph.edges.append((module, alias.name, node.lineno))
                        if alias.asname:
                            bound[alias.asname] = alias.name
            elif isinstance(node, ast.ImportFrom):
                source = _absolute(module, is_package, node)
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    if ours(submodule):
                        graph.edges.append((module, submodule, node.lineno))
                        bound[alias.asname or alias.name] = submodule
                    elif ours(source):
                        graph.edges.append((module, source, node.lineno))
                        if _is_private(alias.name) and source != module:
                            graph.private.append((module, submodule, node.lineno))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
                and _is_private(node.attr)
                and bound[node.value.id] != module
            ):
                graph.private.append((module, f"{bound[node.value.id]}.{node.attr}", node.lineno))
    return graph


def cycles(graph: ImportGraph) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop (Tarjan)."""
    successors: dict[str, set[str]] = {m: set() for m in graph.modules}
    for importer, imported, _line in graph.edges:
        if importer != imported:
            successors[importer].add(imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(successors[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return sorted(found)


def against_the_direction(graph: ImportGraph, apps: list[str] | list[list[str]]) -> list[str]:
    """Imports to the right, or across one tier. `apps` lists the apps (or tiers of apps)
    from left to right."""
    tiers = [tier if isinstance(tier, list) else [tier] for tier in apps]
    rank = {app: position for position, tier in enumerate(tiers) for app in tier}
    wrong = []
    for importer, imported, line in graph.edges:
        here, there = importer.split(".")[0], imported.split(".")[0]
        if here == there or importer in WIRING:
            continue
        if rank[there] >= rank[here]:
            wrong.append(f"{importer}:{line} imports {imported}")
    return sorted(set(wrong))


@pytest.fixture(scope="module")
def graph() -> ImportGraph:
    return read_graph(ROOT, APPS)


def test_every_app_package_is_read(graph):
    assert {module.split(".")[0] for module in graph.modules} == set(APPS)
    assert "workshops.views.stream" in graph.modules


def test_no_two_modules_import_each_other(graph):
    assert cycles(graph) == []


def test_no_module_uses_a_private_name_of_another(graph):
    assert sorted(f"{m}:{line} uses {name}" for m, name, line in graph.private) == []


def test_apps_import_one_way(graph):
    assert against_the_direction(graph, TIERS) == []


# --- The checks themselves, on a small tree that breaks each rule ----------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_the_checks_find_a_cycle_through_an_import_inside_a_function(tmp_path):
    root = _tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/a.py": "from app import b\n",
            "app/b.py": "def later():\n    from app.c import thing\n",
            "app/c.py": "import app.a as first\nthing = 1\n",
            "app/d.py": "from app import a\n",
        },
    )
    assert cycles(read_graph(root, ["app"])) == [["app.a", "app.b", "app.c"]]


def test_the_checks_find_private_names_imported_or_reached(tmp_path):
    root = _tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/a.py": "def _hidden(): ...\ndef shown(): return _hidden()\n",
            "app/b.py": "from app.a import _hidden, shown\n",
            "app/c.py": "from app import a\n\ndef f():\n    return a._hidden()\n",
            "app/d.py": "from .a import __doc__ as doc\n",
        },
    )
    private = {(m, name) for m, name, _line in read_graph(root, ["app"]).private}
    assert private == {("app.b", "app.a._hidden"), ("app.c", "app.a._hidden")}


def test_the_checks_find_an_import_against_the_direction(tmp_path):
    root = _tree(
        tmp_path,
        {
            "low/__init__.py": "",
            "low/models.py": "def f():\n    from high import views\n",
            "high/__init__.py": "",
            "high/views.py": "from low.models import f\n",
        },
    )
    graph = read_graph(root, ["low", "high"])
    assert against_the_direction(graph, ["low", "high"]) == ["low.models:2 imports high.views"]
