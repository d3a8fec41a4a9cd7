#!/usr/bin/env python3
"""Make the main company of a new demo database a Chinese company.

Usage::

    python scripts/demo_company.py -c ODOO_CONF -d DB

Run by ``scripts/demo`` after ``base`` and Simplified Chinese are installed
and before the suite (and so ``account``) is: the main company becomes a
Shanghai trading company in China, in CNY, writing in Simplified Chinese,
so that Odoo's Chinese localisation (``l10n_cn``), installed with the suite,
gives it the Chinese chart of accounts and 13 % VAT. English stays
installed for the users who read it. Run again after the install, it gives
the company back its name and address (the demo data of ``stock`` renames
it). Refused (exit code 2, nothing written) when accounting is installed and
the company is not in CNY: a company's currency cannot change after its
first journal entry.
"""

import argparse
import sys

COMPANY = {
    "name": "上海客户主义商贸有限公司",
    "street": "浦东新区张江路 88 号",
    "city": "上海",
    "zip": "201203",
    "phone": "+86 21 5080 8888",
    "email": "info@customerism.example.com",
    "website": "https://customerism.example.com",
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="database")
    args = parser.parse_args(argv)

    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        cny = env.ref("base.CNY")
        address = {
            **COMPANY,
            "country_id": env.ref("base.cn").id,
            "state_id": env.ref("base.state_cn_SH").id,
        }
        if "account.move" in env:
            if company.currency_id != cny:
                sys.stderr.write(
                    "demo_company: error: accounting is installed in "
                    f"{args.database}: its company currency can no longer change\n"
                )
                return 2
            company.write(address)
            return 0
        env["res.lang"]._activate_lang("en_US")
        cny.active = True
        company.write({**address, "currency_id": cny.id})
        if env["res.lang"]._lang_get("zh_CN"):
            company.partner_id.lang = "zh_CN"
    return 0


if __name__ == "__main__":
    sys.exit(main())
