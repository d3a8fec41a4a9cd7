"""XML-RPC end to end against the Odoo server scripts/test starts (real HTTP
over loopback, real database): the suite is installed and usable by an
external system, and bad input gets a clear error and writes nothing."""

import xmlrpc.client

import pytest
from conftest import ADDONS

import odoo


@pytest.fixture(scope="module")
def rpc(test_db):
    url = f"http://127.0.0.1:{odoo.tools.config['http_port']}"
    common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
    uid = common.authenticate(test_db, "admin", "admin", {})
    assert uid, "admin could not log in over XML-RPC"
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *args, **kwargs):
        return models.execute_kw(
            test_db, uid, "admin", model, method, list(args), kwargs
        )

    return call


def test_server_is_odoo_18(rpc, test_db):
    url = f"http://127.0.0.1:{odoo.tools.config['http_port']}"
    version = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").version()
    assert version["server_version_info"][:2] == [18, 0]


def test_suite_installed(rpc):
    modules = rpc(
        "ir.module.module",
        "search_read",
        [("name", "in", ADDONS)],
        fields=["name", "state"],
    )
    assert {m["name"]: m["state"] for m in modules} == dict.fromkeys(
        ADDONS, "installed"
    )


def test_article_round_trip(rpc):
    article_id = rpc(
        "crm.knowledge.article",
        "create",
        {"name": "XML-RPC 测试文章", "article_type": "faq", "body": "<p>问答</p>"},
    )
    try:
        [article] = rpc(
            "crm.knowledge.article",
            "read",
            [article_id],
            fields=["name", "article_type"],
        )
        assert article["name"] == "XML-RPC 测试文章"
        assert article["article_type"] == "faq"
    finally:
        rpc("crm.knowledge.article", "unlink", [article_id])


def test_bad_input_writes_nothing(rpc):
    before = rpc("crm.knowledge.article", "search_count", [])
    with pytest.raises(xmlrpc.client.Fault) as fault:
        rpc(
            "crm.knowledge.article",
            "create",
            {"name": "坏数据", "article_type": "nonsense"},
        )
    assert "nonsense" in fault.value.faultString
    assert rpc("crm.knowledge.article", "search_count", []) == before
