"""The runtime library and the tools: the wheel the images install holds what serving needs.

core/pyproject.toml lists the tool modules (CLI, benchmarks, evaluations, manifest checks,
embedded stack, Open WebUI launcher, Kubernetes API simulator) that the wheel leaves out.
No runtime module may import one of them, not even inside a function, and the built wheel
must carry neither their files nor their dependencies.
"""

from __future__ import annotations

import ast
import email
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.unit.test_import_graph import ROOT, _module, _resolve

CORE = ROOT.parents[1]
PYPROJECT = tomllib.loads((CORE / "pyproject.toml").read_text())
EXCLUDED = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["exclude"]
TOOL_ONLY_DEPENDENCIES = {"click", "jsonschema", "kmock", "kubernetes"}


def _tool_prefixes() -> list[str]:
    return [
        "smartops." + entry.removeprefix("src/smartops/").removesuffix(".py").replace("/", ".")
        for entry in EXCLUDED
    ]


def _is_tool(module: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in _tool_prefixes())


def _all_imports(path: Path) -> set[str]:
    """Every smartops import in a file, at module level or inside functions."""
    module = _module(path)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node, path.name == "__init__.py")
            found.update({target} | {f"{target}.{alias.name}" for alias in node.names})
    return {name for name in found if name.startswith("smartops")}


def test_every_excluded_entry_names_existing_code() -> None:
    for entry in EXCLUDED:
        assert (CORE / entry).exists() or (CORE / f"{entry}.py").exists(), entry


def test_no_runtime_module_imports_a_tool() -> None:
    offenders = {}
    for path in ROOT.rglob("*.py"):
        module = _module(path)
        if _is_tool(module):
            continue
        tools = sorted(name for name in _all_imports(path) if _is_tool(name))
        if tools:
            offenders[module] = tools
    assert offenders == {}


def test_no_deployable_imports_a_tool() -> None:
    """The gateway, the functions and the transformers are built from the wheel."""
    repo = CORE.parent
    folders = [repo / "function", *repo.glob("functions/*/function"), repo / "transformers"]
    offenders = {}
    for path in (p for folder in folders for p in folder.rglob("*.py")):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
        tools = sorted(name for name in imported if _is_tool(name) or name == "click")
        if tools:
            offenders[str(path.relative_to(repo))] = tools
    assert folders and offenders == {}


def test_the_checker_sees_a_tool_import(tmp_path: Path) -> None:
    probe = ROOT / "_probe_runtime_split.py"
    probe.write_text("def f() -> None:\n    from smartops.bench import stats\n")
    try:
        assert any(_is_tool(name) for name in _all_imports(probe))
    finally:
        probe.unlink()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(CORE)],
        check=True,
    )
    (built,) = out.glob("smartops-*.whl")
    return built


def test_the_wheel_leaves_the_tools_out_and_keeps_the_runtime(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    modules = {
        n.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        for n in names
        if n.endswith(".py")
    }
    assert not [m for m in modules if _is_tool(m)]
    for runtime in (
        "smartops.pipeline",
        "smartops.gateway.app",
        "smartops.actions.service",
        "smartops.knowledge.assembler",
        "smartops.investigate",
    ):
        assert runtime in modules, runtime
    assert any(n.startswith("smartops/prompts/") and n.endswith(".j2") for n in names)


def test_the_wheel_requires_no_tool_dependency(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        meta_name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(archive.read(meta_name))
    required = [r for r in meta.get_all("Requires-Dist") or [] if "extra ==" not in r]
    names = {r.split(";")[0].split("[")[0].split(">")[0].split("=")[0].strip() for r in required}
    assert names and not names & TOOL_ONLY_DEPENDENCIES, names
    with zipfile.ZipFile(wheel) as archive:  # the `smartops` command is a tool
        assert not [n for n in archive.namelist() if n.endswith("entry_points.txt")]
