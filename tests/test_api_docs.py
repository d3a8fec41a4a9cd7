"""docs/API.md cannot go stale: its Python examples run, in order, in one
namespace, against the Odoo server scripts/test starts, as an integration
user (their asserts check the answers)."""

import contextlib
import io
import os
import re
import uuid

from api_client import Client, activate_language
from conftest import ROOT
from test_xmlrpc_api import PASSWORD, make_user

import odoo


def code_blocks(path):
    return re.findall(
        r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.DOTALL
    )


def test_api_examples_run(test_db, monkeypatch):
    url = f"http://127.0.0.1:{odoo.tools.config['http_port']}"
    admin = Client(url, test_db, "admin", "admin")
    activate_language(admin)  # an example asks for its errors in Chinese
    user = make_user(
        admin,
        url,
        test_db,
        [
            "crm_customerism.group_crm_customerism_user",
            "base.group_partner_manager",
            "crm_knowledge.group_crm_knowledge_user",
        ],
    )
    [login] = admin("res.users", "read", [user.uid], fields=["login"])
    product = f"DOC-{uuid.uuid4().hex[:6]}"
    admin("product.product", "create", {"name": "文档产品", "default_code": product})
    monkeypatch.setenv("CUSTOMERISM_URL", url)
    monkeypatch.setenv("CUSTOMERISM_DB", test_db)
    monkeypatch.setenv("CUSTOMERISM_USER", login["login"])
    monkeypatch.setenv("CUSTOMERISM_PASSWORD", PASSWORD)
    monkeypatch.setenv("CUSTOMERISM_SOURCE", f"doc-{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("CUSTOMERISM_PRODUCT", product)
    blocks = code_blocks(ROOT / "docs" / "API.md")
    assert len(blocks) >= 8
    namespace = {}
    for number, block in enumerate(blocks):
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(block, f"docs/API.md block {number}", "exec"), namespace)  # noqa: S102
    assert namespace["profile"]["order_count"] == 1
    assert os.environ["CUSTOMERISM_SOURCE"] == namespace["SOURCE"]


def test_readme_links_the_api_reference():
    assert "docs/API.md" in (ROOT / "README.md").read_text(encoding="utf-8")
