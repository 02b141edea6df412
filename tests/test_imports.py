"""The app packages import one way: no two modules import each other (directly or round a
longer loop, at module level or inside a function), and no module imports another
module's private (`_name`) names."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("labb", "challenges", "workshops")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, ast.Module]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            modules[_module_name(path)] = ast.parse(path.read_text(), filename=str(path))
    return modules


def _imports(name: str, tree: ast.Module, known: set[str]):
    """(imported module, imported names, at module level) for each import of an app module."""
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                package = (
                    name.split(".")[: -node.level] if not _is_package(name) else name.split(".")
                )
                if node.level > 1 and _is_package(name):
                    package = package[: -(node.level - 1)]
                base = ".".join([*package, node.module])
            for alias in node.names:
                target = f"{base}.{alias.name}"
                module = target if target in known else base
                if module in known:
                    yield module, alias.name if module == base else None, id(node) in top_level
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield alias.name, None, id(node) in top_level


def _is_package(name: str) -> bool:
    return (ROOT / Path(*name.split(".")) / "__init__.py").exists()


def _graph() -> tuple[dict[str, set[str]], list[str]]:
    """Who imports whom, at module level or inside a function (an import inside a function
    is still a dependency: moving it there does not untie a cycle), and the private names
    imported across modules."""
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    private = []
    for name, tree in modules.items():
        for module, imported, _top in _imports(name, tree, known):
            if module == name:
                continue
            if imported and imported.startswith("_") and not imported.startswith("__"):
                private.append(f"{name} imports {module}.{imported}")
            graph[name].add(module)
    return graph, private


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def _without_packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """A package's `__init__` importing its own modules is not a cycle with them."""
    return {
        name: {m for m in targets if not (_is_package(name) and m.startswith(name + "."))}
        for name, targets in graph.items()
    }


def test_no_two_app_modules_import_each_other():
    graph, _private = _graph()
    assert _cycles(_without_packages(graph)) == []


def test_no_module_imports_a_private_name_of_another():
    _graph_, private = _graph()
    assert private == []


def test_the_checks_see_a_cycle_and_a_private_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    tree = ast.parse("from workshops.live.render import _frames\n")
    found = list(_imports("x", tree, {"workshops.live.render"}))
    assert found == [("workshops.live.render", "_frames", True)]
