"""Offline check of infra/*.bicep where no Bicep CLI can be installed: every file parses (pycep, checkov's parser),
every module reference resolves, each module gets exactly the parameters it declares (all required ones, no
unknown one), every `<module>.outputs.<name>` exists, and each parameter file names main.bicep's parameters only.

Run with the tools environment: `.venv-tools/bin/python scripts/bicep_check.py [infra]`. Exit 1 naming each problem.
"""

import json
import re
import sys
from pathlib import Path

from pycep import BicepParser

# Passed at deployment time, never kept in a parameter file (see infra/README.md).
DEPLOY_TIME_PARAMETERS = {"sqlAdminPassword"}


def parsed(path: Path, problems: list[str]) -> dict | None:
    """The parsed file, or None with the parse error in problems."""
    try:
        return BicepParser().parse(file_path=path)
    except Exception as error:  # pycep raises lark errors of many kinds; each names the line and column
        problems.append(f"{path}: does not parse: {str(error).splitlines()[0]}")
        return None


def modules_check(path: Path, tree: dict, problems: list[str]) -> None:
    """Each module of `path` resolves and is given exactly its declared parameters; used outputs exist."""
    text = path.read_text()
    for symbol, module in (tree.get("modules") or {}).items():
        target = path.parent / module["detail"]["path"]
        if not target.is_file():
            problems.append(f"{path}: module {symbol}: {module['detail']['path']} does not exist")
            continue
        declared_tree = parsed(target, problems)
        if declared_tree is None:
            continue
        declared = declared_tree.get("parameters") or {}
        given = set((module["config"].get("params") or {}).keys())
        required = {name for name, spec in declared.items() if spec.get("default") is None}
        for name in sorted(given - set(declared)):
            problems.append(f"{path}: module {symbol} passes {name}, which {target.name} does not declare")
        for name in sorted(required - given):
            problems.append(f"{path}: module {symbol} lacks the required parameter {name} of {target.name}")
        outputs = set((declared_tree.get("outputs") or {}).keys())
        for name in sorted(set(re.findall(rf"\b{re.escape(symbol)}\.outputs\.(\w+)", text)) - outputs):
            problems.append(f"{path}: {symbol}.outputs.{name}: {target.name} has no output {name}")


def parameter_files_check(main: Path, tree: dict, problems: list[str]) -> None:
    """Each parameters/*.json names only main.bicep's parameters and, with the deploy-time ones, all required."""
    declared = tree.get("parameters") or {}
    required = {name for name, spec in declared.items() if spec.get("default") is None}
    for path in sorted((main.parent / "parameters").glob("*.json")):
        names = set(json.loads(path.read_text()).get("parameters", {}))
        for name in sorted(names - set(declared)):
            problems.append(f"{path}: {name} is not a parameter of {main.name}")
        for name in sorted(required - names - DEPLOY_TIME_PARAMETERS):
            problems.append(f"{path}: lacks {main.name}'s required parameter {name}")


def main(root: str = "infra") -> int:
    """Check every Bicep file under root; print what is wrong; 0 when nothing is."""
    problems: list[str] = []
    files = sorted(Path(root).rglob("*.bicep"))
    if not files:
        problems.append(f"{root}: no .bicep file")
    for path in files:
        tree = parsed(path, problems)
        if tree is not None:
            modules_check(path, tree, problems)
            if path.name == "main.bicep":
                parameter_files_check(path, tree, problems)
    for problem in dict.fromkeys(problems):
        print(problem, file=sys.stderr)
    print(f"bicep check: {len(files)} file(s), {len(set(problems))} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
