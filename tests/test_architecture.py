"""The one-way dependency rule from ARCHITECTURE.md, checked on every import statement."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("routing", "transcription", "qa", "scoring", "api", "models", "callqa")

# package -> first-party packages it must never import
FORBIDDEN = {
    "models": {"routing", "transcription", "qa", "scoring", "api", "callqa", "fastapi"},
    "routing": {"transcription", "qa", "scoring", "api", "callqa", "fastapi"},
    "transcription": {"qa", "scoring", "routing", "api", "callqa", "fastapi"},
    "qa": {"scoring", "routing", "api", "callqa", "fastapi"},
    "scoring": {"routing", "api", "callqa", "fastapi"},
    "callqa": {"api", "fastapi"},
    "api": set(),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_follow_the_dependency_direction(package: str) -> None:
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = _imports(path) & FORBIDDEN[package]
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("package", ["routing", "transcription", "qa", "scoring", "models"])
def test_domain_code_never_reads_the_environment(package: str) -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / package).rglob("*.py"))
        if "os.environ" in p.read_text() or "getenv" in p.read_text()
    ]
    assert not offenders


# Inside the composition root: the CLI drives services and the pipeline; services run the pipeline; the
# pipeline (audio in, verdicts out, no database) knows neither.
CALLQA_FORBIDDEN = {
    "pipeline": {"callqa.services", "callqa.cli"},
    "services": {"callqa.cli"},
}


def _module_imports(path: Path) -> set[str]:
    """Full dotted names of every absolute import in `path` (`from a.b import c` gives `a.b`)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("group", sorted(CALLQA_FORBIDDEN))
def test_callqa_groups_import_one_way(group: str) -> None:
    offenders = []
    for path in sorted((ROOT / "callqa" / group).rglob("*.py")):
        bad = {
            name
            for name in _module_imports(path)
            for prefix in CALLQA_FORBIDDEN[group]
            if name == prefix or name.startswith(prefix + ".")
        }
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not offenders, "\n".join(offenders)


def test_callqa_top_level_holds_only_the_root() -> None:
    """A newcomer finds CLI, pipeline and services apart: new modules go into one of the three groups."""
    top = sorted(p.name for p in (ROOT / "callqa").glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "runtime.py"]
    groups = sorted(p.name for p in (ROOT / "callqa").iterdir() if (p / "__init__.py").exists())
    assert groups == ["cli", "pipeline", "services", "settings"]


def test_the_checker_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("from api.app import create_app\nimport fastapi\n")
    assert _imports(bad) & FORBIDDEN["qa"] == {"api", "fastapi"}
    bad.write_text("from callqa.services.jobs import enqueue\nimport callqa.cli.app\n")
    assert _module_imports(bad) == {"callqa.services.jobs", "callqa.cli.app"}
