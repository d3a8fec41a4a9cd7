"""Shared fixtures of the top-level tests.

scripts/test runs these in the same pytest session as the addon tests, with
pytest-odoo (so an Odoo registry and HTTP server are up) and these variables:
CUSTOMERISM_TEST_DB, CUSTOMERISM_TEST_CONF, CUSTOMERISM_PYTHON.
"""

import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ["crm_customerism", "crm_knowledge", "crm_supply_link", "crm_analytics"]


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def python():
    return os.environ.get("CUSTOMERISM_PYTHON", sys.executable)


@pytest.fixture(scope="session")
def test_db():
    db = os.environ.get("CUSTOMERISM_TEST_DB")
    if not db:
        pytest.fail("run the suite through scripts/test (CUSTOMERISM_TEST_DB unset)")
    return db


@pytest.fixture
def project_copy():
    """A copy of the project (scripts, addons, requirements) in its own root,
    so var/ and .venv/ are its own; under the project's var/ so the
    PostgreSQL system user can reach it."""
    (ROOT / "var").mkdir(exist_ok=True)
    root = tempfile.mkdtemp(prefix="t-", dir=ROOT / "var")
    os.chmod(root, 0o755)
    for folder in ("scripts", "addons"):
        shutil.copytree(
            ROOT / folder,
            os.path.join(root, folder),
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    shutil.copy(ROOT / "requirements.txt", root)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def odoo_tree():
    """The Odoo source tree this run uses (ODOO_PATH or a downloaded tree),
    or "" when Odoo is importable by the run's Python."""
    return os.environ.get("CUSTOMERISM_ODOO_TREE", "")


def script_env(**env):
    """The environment for running a script as the user who started this run:
    no Customerism settings leak in, and Odoo is found the same way (with
    ODOO_PATH when this run uses a source tree). ``env`` overrides; a value
    of None removes the variable."""
    tree = odoo_tree()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMERISM_")}
    environ.pop("ODOO_PATH", None)
    # scripts/test put the tree on PYTHONPATH for this run only
    paths = [
        path
        for path in environ.pop("PYTHONPATH", "").split(os.pathsep)
        if path and path != tree
    ]
    if paths:
        environ["PYTHONPATH"] = os.pathsep.join(paths)
    if tree:
        environ["ODOO_PATH"] = tree
    environ.update(env)
    return {k: v for k, v in environ.items() if v is not None}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
