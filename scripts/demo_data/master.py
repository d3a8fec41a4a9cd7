"""Master data shared by both scales, created through the ORM.

Salespeople and their teams, suppliers, product categories and storable
products with vendor prices. Each record gets an xml id in the
``customerism_demo`` namespace; a forced second run reuses what exists
instead of creating duplicates.
"""

import logging

from odoo import Command

from . import names

_logger = logging.getLogger(__name__)

MODULE = "customerism_demo"


class Master:
    """Ids of the master records, indexed like the lists of :mod:`.names`."""

    def __init__(self, env):
        self.env = env
        self.company = env.company
        self.currency = self.company.currency_id
        self.country_cn = env.ref("base.cn")
        self.states = {}
        for city in names.CITIES:
            state = env.ref(f"base.state_cn_{city[2]}", raise_if_not_found=False)
            self.states[city[2]] = state.id if state else False
        self.lang = "zh_CN" if env["res.lang"]._lang_get("zh_CN") else False
        self.users = []
        self.teams = []
        self.suppliers = []
        self.categories = {}
        self.products = []  # product.product ids
        self.warehouse = env["stock.warehouse"].search(
            [("company_id", "=", self.company.id)], limit=1
        )

    def partner_address(self, city_index):
        city = names.CITIES[city_index]
        return {
            "city": city[0],
            "state_id": self.states[city[2]],
            "country_id": self.country_cn.id,
        }


def find_xmlids(env, model, xml_names):
    """{name: res_id} of the ``customerism_demo`` xml ids among ``xml_names``."""
    data = env["ir.model.data"].search_read(
        [
            ("module", "=", MODULE),
            ("model", "=", model),
            ("name", "in", list(xml_names)),
        ],
        ["name", "res_id"],
    )
    return {row["name"]: row["res_id"] for row in data}


def ensure_records(env, model, rows):
    """Create the records of ``rows`` [(xml name, vals)] that do not exist yet.

    Returns the record ids in the order of ``rows``.
    """
    existing = find_xmlids(env, model, [name for name, _vals in rows])
    missing = [(name, vals) for name, vals in rows if name not in existing]
    if missing:
        records = env[model].create([vals for _name, vals in missing])
        env["ir.model.data"]._update_xmlids(
            [
                {"xml_id": f"{MODULE}.{name}", "record": record, "noupdate": True}
                for (name, _vals), record in zip(missing, records, strict=True)
            ]
        )
        existing.update(
            {
                name: record.id
                for (name, _vals), record in zip(missing, records, strict=True)
            }
        )
    return [existing[name] for name, _vals in rows]


def load_master(env):
    master = Master(env)
    _create_salespeople(env, master)
    _create_suppliers(env, master)
    _create_products(env, master)
    _logger.info(
        "master data: %d salespeople, %d suppliers, %d products",
        len(master.users),
        len(master.suppliers),
        len(master.products),
    )
    return master


def _create_salespeople(env, master):
    groups = [
        env.ref("base.group_user").id,
        env.ref("sales_team.group_sale_salesman").id,
    ]
    # the suite's own user groups, when the addons define them
    for xmlid in (
        "crm_customerism.group_crm_customerism_user",
        "crm_knowledge.group_crm_knowledge_user",
    ):
        group = env.ref(xmlid, raise_if_not_found=False)
        if group:
            groups.append(group.id)
    logins = [login for _name, login in names.SALESPEOPLE]
    Users = env["res.users"].with_context(active_test=False)
    existing_logins = set(Users.search([("login", "in", logins)]).mapped("login"))
    rows = []
    for name, login in names.SALESPEOPLE:
        xml_name = "user_" + login.replace(".", "_")
        vals = {
            "name": name,
            "login": login,
            "password": login,
            "email": f"{login}@customerism.example.com",
            "tz": "Asia/Shanghai",
            "groups_id": [Command.set(groups)],
            "company_id": master.company.id,
            "company_ids": [Command.set(master.company.ids)],
        }
        if master.lang:
            vals["lang"] = master.lang
        if login in existing_logins and not find_xmlids(env, "res.users", [xml_name]):
            # a user of that login exists without our xml id: adopt it
            user = Users.search([("login", "=", login)], limit=1)
            env["ir.model.data"]._update_xmlids(
                [{"xml_id": f"{MODULE}.{xml_name}", "record": user, "noupdate": True}]
            )
        rows.append((xml_name, vals))
    master.users = ensure_records(env, "res.users", rows)
    team_rows = []
    for name, xml_name, (low, high) in names.TEAMS:
        members = master.users[low:high]
        team_rows.append(
            (
                xml_name,
                {
                    "name": name,
                    "user_id": members[0],
                    "member_ids": [Command.set(members)],
                    "use_opportunities": True,
                },
            )
        )
    master.teams = ensure_records(env, "crm.team", team_rows)


def _create_suppliers(env, master):
    rows = []
    for i, (name, city_index, _categories) in enumerate(names.SUPPLIERS):
        city = names.CITIES[city_index]
        rows.append(
            (
                f"supplier_{i + 1:02d}",
                {
                    "name": name,
                    "is_company": True,
                    "supplier_rank": 1,
                    "street": f"{city[6][0]}{names.ROADS[i]}{88 + i * 7}号",
                    "zip": city[4] + "000",
                    "phone": f"+86 {city[3]} 8{i:03d} {6000 + i * 37:04d}",
                    "email": f"sales{i + 1:02d}@supplier-{city[1]}.com.cn",
                    "tz": "Asia/Shanghai",
                    "property_supplier_payment_term_id": env.ref(
                        "account.account_payment_term_45days"
                    ).id,
                    **master.partner_address(city_index),
                },
            )
        )
    master.suppliers = ensure_records(env, "res.partner", rows)


def _create_products(env, master):
    parent = env.ref("product.product_category_all")
    # standard cost, periodic valuation: what the bulk path writes stock valuation for
    category_rows = [
        (
            f"product_category_{code.lower()}",
            {
                "name": name,
                "parent_id": parent.id,
                "property_cost_method": "standard",
                "property_valuation": "manual_periodic",
            },
        )
        for code, name in names.CATEGORIES
    ]
    category_ids = ensure_records(env, "product.category", category_rows)
    master.categories = {
        code: cid
        for (code, _name), cid in zip(names.CATEGORIES, category_ids, strict=True)
    }
    suppliers_by_category = {}
    for supplier_id, (_name, _city, categories) in zip(
        master.suppliers, names.SUPPLIERS, strict=True
    ):
        for code in categories:
            suppliers_by_category.setdefault(code, []).append(supplier_id)
    rows = []
    for i, (ref, name, code, price, cost_ratio, typical) in enumerate(names.PRODUCTS):
        cost = round(price * cost_ratio, 2)
        sellers = suppliers_by_category[code]
        seller_vals = [
            Command.create(
                {
                    "partner_id": supplier,
                    "price": round(cost * (1.0 + 0.04 * rank), 2),
                    "min_qty": float(typical * 5),
                    "delay": 5 + 2 * rank,
                    "product_code": f"V{rank + 1}-{ref}",
                }
            )
            for rank, supplier in enumerate(
                sellers[i % len(sellers) :] + sellers[: i % len(sellers)]
            )
        ]
        rows.append(
            (
                "product_" + ref.lower().replace("-", "_"),
                {
                    "name": name,
                    "default_code": ref,
                    "type": "consu",
                    "is_storable": True,
                    "categ_id": master.categories[code],
                    "list_price": price,
                    "standard_price": cost,
                    "invoice_policy": "delivery",
                    "sale_ok": True,
                    "purchase_ok": True,
                    "seller_ids": seller_vals,
                },
            )
        )
    template_ids = ensure_records(env, "product.template", rows)
    templates = env["product.template"].browse(template_ids)
    master.products = [template.product_variant_id.id for template in templates]
