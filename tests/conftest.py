"""Shared fixtures of the top-level tests.

scripts/test runs these in the same pytest session as the addon tests, with
pytest-odoo (so an Odoo registry and HTTP server are up) and these variables:
CUSTOMERISM_TEST_DB, CUSTOMERISM_TEST_CONF, CUSTOMERISM_PYTHON.
"""

import os
import sys
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
