"""A small XML-RPC client for the top-level tests: one user's calls to the
Odoo server scripts/test starts (or another one, given its URL)."""

import xmlrpc.client


class Client:
    def __init__(self, url, db, login, password, lang=None):
        self.url, self.db, self.password = url, db, password
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        self.uid = common.authenticate(db, login, password, {})
        assert self.uid, f"{login} could not log in over XML-RPC"
        self.models = xmlrpc.client.ServerProxy(
            f"{url}/xmlrpc/2/object", allow_none=True
        )
        self.lang = lang

    def __call__(self, model, method, *args, **kwargs):
        if self.lang:
            kwargs.setdefault("context", {})["lang"] = self.lang
        return self.models.execute_kw(
            self.db, self.uid, self.password, model, method, list(args), kwargs
        )


def activate_language(admin, code="zh_CN"):
    """Install ``code`` through ``admin`` (a Client) if it is not active: the
    test database is created without it, and callers ask for their errors
    in it."""
    [lang] = admin(
        "res.lang",
        "search_read",
        [("code", "=", code), ("active", "in", [True, False])],
        fields=["active"],
    )
    if not lang["active"]:
        wizard = admin("base.language.install", "create", {"lang_ids": [lang["id"]]})
        admin("base.language.install", "lang_install", [wizard])
