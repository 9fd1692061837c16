"""The GitHub workflow audits requirements.txt for known vulnerabilities (pip-audit needs the network CI has)."""

import yaml

from tests.conftest import ROOT


def test_the_workflow_runs_pip_audit_over_the_requirements():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    steps = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    install = next(step for step in steps if "pip install" in step and "pip-audit==" in step)
    assert install.count("==") == 1  # pinned
    assert any(step.startswith("pip-audit --requirement requirements.txt") for step in steps)
