"""The nlp package stands alone: its modules import each other without cycles and import no project app."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NLP = ROOT / "nlp"
# Every other top-level folder of the repository that holds Python code (apps, config, benchmarks, tests).
PROJECT = {
    p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.py"))
}
PROJECT.discard("nlp")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in NLP.rglob("*.py")}


def imported(path: Path) -> set[str]:
    """Every module named by an import anywhere in the file, function-level imports included."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # `from nlp.extraction import spans` names a module; `import ... extract` names the package.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


GRAPH = {name: {m for m in imported(path) if m in MODULES and m != name} for name, path in MODULES.items()}


def test_every_nlp_module_is_seen():
    assert {"nlp.extraction", "nlp.extraction.pipeline", "nlp.extraction.vocabulary", "nlp.scoring"} <= set(
        GRAPH
    )


def test_nlp_imports_no_project_app():
    offenders = {
        name: sorted(m for m in imported(path) if m.split(".")[0] in PROJECT)
        for name, path in MODULES.items()
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_nlp_modules_import_each_other_without_cycles():
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycle = path[path.index(name) :] + [name]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        for target in sorted(GRAPH[name]):
            visit(target, [*path, name])
        done.add(name)

    for name in sorted(GRAPH):
        visit(name, [])


def test_the_shared_modules_are_leaves():
    assert GRAPH["nlp.extraction.vocabulary"] == set()
    assert GRAPH["nlp.extraction.types"] == set()
