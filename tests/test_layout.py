"""The layout shows the roles: no import cycles, pure parsers, the linters and the type checker clean."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("parsers", "scraper", "pipelines")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each project module -> the project modules it imports, anywhere in it (functions included)."""
    modules = {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets.add(node.module)
                targets.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_itself_through_others() -> None:
    assert cycles(import_graph()) == []


def test_parsers_touch_no_network_database_or_other_package() -> None:
    graph = import_graph()
    for name, targets in graph.items():
        if name.startswith("parsers"):
            assert all(t.startswith("parsers") for t in targets), (name, targets)
    for path in (ROOT / "parsers").rglob("*.py"):
        imported = {n.split(".")[0] for node in ast.walk(ast.parse(path.read_text()))
                    for n in ([a.name for a in node.names] if isinstance(node, ast.Import) else
                              [node.module or ""] if isinstance(node, ast.ImportFrom) else [])}
        assert not imported & {"httpx", "sqlite3", "sqlite_utils", "datasette", "socket", "urllib3"}, path


def test_sniffing_a_body_loads_no_pdf_library() -> None:
    code = "import sys, parsers.sniff; print(sorted(m for m in ('pdfplumber', 'pdfminer', 'pypdfium2') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_ruff_finds_nothing() -> None:
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean_on_parsers_and_scraper() -> None:
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", "/dev/null"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_parser_version_changes_with_any_parser_module(tmp_path: Path) -> None:
    import shutil

    from parsers.version import PARSER_VERSION, source_version

    copy = tmp_path / "parsers"
    shutil.copytree(ROOT / "parsers", copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert source_version(copy) == PARSER_VERSION, "the digest is of the source alone, wherever it lies"
    for module in sorted(copy.glob("*.py")):
        original = module.read_bytes()
        module.write_bytes(original + b"\n# changed\n")
        assert source_version(copy) != PARSER_VERSION, f"a change to {module.name} must re-parse stored files"
        module.write_bytes(original)
    (copy / "new_rules.py").write_text("RULE = 1\n")
    assert source_version(copy) != PARSER_VERSION, "so must a new module"
    assert source_version(copy, readers=("pdfplumber",)) != source_version(copy), "and the readers' versions"


def test_what_a_parse_returns_depends_on_no_project_code_outside_parsers() -> None:
    # Parse a PDF and a platform page in a fresh interpreter, then list the project's modules it loaded:
    # the parser version covers parsers/ only, so nothing else may shape what a parse returns.
    code = """
import sys
from pathlib import Path
from parsers.document import parse_document
corpus = Path("tests/corpus")
for name in ("letter-01.pdf", next(p.name for p in sorted(corpus.glob("*.html")) if not p.name.startswith("broken"))):
    parse_document((corpus / name).read_bytes(), name)
project = [Path.cwd().resolve() / folder for folder in ("parsers", "scraper", "pipelines", "tools", "tests")]
print("\\n".join(sorted(n for n, m in sys.modules.items() if getattr(m, "__file__", None)
                        and any(Path(m.__file__).resolve().is_relative_to(folder) for folder in project))))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = done.stdout.split()
    assert "parsers.letter" in loaded and "parsers.pdf" in loaded and "parsers.html" in loaded
    assert [m for m in loaded if m.split(".")[0] != "parsers"] == []
