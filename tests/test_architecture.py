"""The layout's rules, checked on the source: dependencies point one way, no import cycle (imports
inside functions included), the command line is imported by nothing, modules stay small."""
from __future__ import annotations

import ast
import warnings
from pathlib import Path
from typing import Dict, List, Set

import pytest

from bot.runtime.paths import PROJECT_ROOT

PACKAGES = ("bot", "channels", "actions")
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> Dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((PROJECT_ROOT / package).rglob("*.py"))
    }


def imports_of(path: Path, known: Set[str]) -> Set[str]:
    """Every project module `path` imports, at any depth of the file."""
    found: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import submodule` depends on the submodule; `from module import name`
            # on the module.
            names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module
                     for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def import_graph() -> Dict[str, Set[str]]:
    modules = project_modules()
    known = set(modules)
    return {name: imports_of(path, known) - {name} for name, path in modules.items()}


def cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def importers(graph: Dict[str, Set[str]], prefix: str) -> Dict[str, Set[str]]:
    return {
        source: {t for t in targets if t == prefix or t.startswith(prefix + ".")}
        for source, targets in graph.items()
        if any(t == prefix or t.startswith(prefix + ".") for t in targets)
    }


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert graph, "no modules found"
    assert "bot.cli.triage" in graph["bot.cli.main"]  # imported lazily, inside main()


def test_no_import_cycle():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_channels_know_nothing_of_escalation_cases_or_the_console():
    graph = {source: targets for source, targets in import_graph().items() if source.startswith("channels")}
    for layer in ("bot.escalation", "bot.cases", "bot.console", "bot.connectors"):
        assert importers(graph, layer) == {}, f"channels import {layer}"


def test_nothing_imports_the_command_line():
    graph = import_graph()
    outside = {source: targets for source, targets in importers(graph, "bot.cli").items()
               if not source.startswith("bot.cli") and source != "bot.__main__"}
    assert outside == {}


def test_the_core_does_not_import_the_actions():
    graph = {source: targets for source, targets in import_graph().items() if not source.startswith("actions")}
    assert importers(graph, "actions") == {}


def test_no_module_is_over_the_size_limit():
    long = {name: n for name, path in project_modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_every_module_opens_with_its_job():
    silent = [name for name, path in project_modules().items()
              if not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))]
    assert silent == []


def test_a_deprecation_raised_by_the_project_fails_the_test_that_ran_it():
    with pytest.raises(DeprecationWarning):
        warnings.warn("an old API of ours", DeprecationWarning, stacklevel=1)
