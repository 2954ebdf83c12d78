"""The library's module-level import graph has no cycle, and features never import the
composition root (``smartops.services``)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "core" / "src" / "smartops"


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _runtime_imports(
    tree: ast.Module, module: str, is_package: bool, modules: set[str]
) -> set[str]:
    """Imports that run when the module is imported (not under TYPE_CHECKING, not local).

    ``from package import submodule`` imports the submodule (its package is already
    being imported); ``from module import name`` imports the module.
    """
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for inner in ast.walk(node) if isinstance(node, ast.If | ast.Try) else [node]:
            if isinstance(inner, ast.Import):
                found.update(alias.name for alias in inner.names)
            elif isinstance(inner, ast.ImportFrom):
                target = _resolve(module, inner, is_package)
                for alias in inner.names:
                    child = f"{target}.{alias.name}"
                    found.add(child if child in modules else target)
    return {name for name in found if name.startswith("smartops")}


def import_graph() -> dict[str, set[str]]:
    files = {_module(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text())
        imports = _runtime_imports(tree, module, path.name == "__init__.py", set(files))
        graph[module] = {name for name in imports if name in files and name != module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph (as a path that returns to its start), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_checker_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_library_has_no_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 50  # the whole library was read
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_no_feature_imports_the_composition_root() -> None:
    features = ("actions", "cache", "knowledge", "eventing", "routing", "investigate")
    offenders = []
    for path in ROOT.rglob("*.py"):
        parts = _module(path).split(".")
        if parts[1:2] and parts[1] in features and "smartops.services" in path.read_text():
            offenders.append(_module(path))
    assert offenders == []
