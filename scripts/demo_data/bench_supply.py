"""Supply content of the bench scales: what ``scripts/bench_supply_link.py``
measures (customer demand per product and warehouse, the supplier-customer
linkage), written set-based like the rest of the bulk path.

- a catalogue: each of the 40 products of :mod:`.names` comes in
  ``sizes`` specifications (规格), the extra ones copied in SQL from it
  (template, variant, taxes, vendor prices: same category, prices, vendors
  and lead times), so that the bench holds thousands of products with their
  vendors (``product.supplierinfo``);
- the plan's order lines spread over the catalogue, the first sizes more
  often than the last ones (deterministic for a seed);
- two more warehouses; a third of the open orders (quotations, and
  confirmed orders waiting for their delivery) each go to one of them;
- opportunities (``crm.lead``) with probabilities behind three open
  quotations out of five.
"""

import logging
import random

from odoo.tools import SQL

from . import names

_logger = logging.getLogger(__name__)

WAREHOUSES = (("北京仓", "BJ"), ("广州仓", "GZ"))
# (stage xml id, probability) of the opportunities behind open quotations
OPPORTUNITY_STAGES = (
    ("crm.stage_lead1", 10),
    ("crm.stage_lead2", 30),
    ("crm.stage_lead2", 50),
    ("crm.stage_lead3", 70),
    ("crm.stage_lead3", 90),
)


def load_catalogue(env, master, sizes):
    """Copy each product into ``sizes - 1`` more specifications; extend
    ``master.products`` so that product index ``i + 40 * n`` is size ``n``
    of product ``i``."""
    if sizes <= 1:
        return
    cr = env.cr
    env.flush_all()
    base = env["product.product"].browse(master.products)
    cr.execute(
        SQL(
            """
            CREATE TEMPORARY TABLE demo_catalogue ON COMMIT DROP AS
            SELECT b.idx - 1 + %(count)s * s.n AS idx, s.n, b.tmpl_id AS base_tmpl,
                   b.product_id AS base_product,
                   nextval(pg_get_serial_sequence('product_template', 'id'))::int
                       AS tmpl_id,
                   nextval(pg_get_serial_sequence('product_product', 'id'))::int
                       AS product_id,
                   ' 规格' || lpad((s.n + 1)::text, 3, '0') AS suffix,
                   '-' || lpad((s.n + 1)::text, 3, '0') AS code_suffix
              FROM unnest(%(tmpls)s::int[], %(products)s::int[])
                   WITH ORDINALITY AS b(tmpl_id, product_id, idx)
             CROSS JOIN generate_series(1, %(sizes)s - 1) AS s(n)
            """,
            count=len(master.products),
            tmpls=base.product_tmpl_id.ids,
            products=base.ids,
            sizes=sizes,
        )
    )
    renamed = SQL(
        "(SELECT jsonb_object_agg(key, value || c.suffix) FROM jsonb_each_text(t.name))"
    )
    _copy(
        cr,
        "product_template",
        "base_tmpl",
        "tmpl_id",
        {
            "name": renamed,
            "default_code": SQL("t.default_code || c.code_suffix"),
        },
    )
    _copy(
        cr,
        "product_product",
        "base_product",
        "product_id",
        {
            "product_tmpl_id": SQL("c.tmpl_id"),
            "default_code": SQL("t.default_code || c.code_suffix"),
        },
    )
    _copy(
        cr,
        "product_supplierinfo",
        "base_tmpl",
        None,
        {
            "product_tmpl_id": SQL("c.tmpl_id"),
            "product_code": SQL("t.product_code || c.code_suffix"),
        },
        match="product_tmpl_id",
    )
    for model, key in (("product.template", "tmpl"), ("product.product", "product")):
        for field in env[model]._fields.values():
            if field.type == "many2many" and field.store:
                cr.execute(
                    SQL(
                        """
                        INSERT INTO %(table)s (%(col1)s, %(col2)s)
                        SELECT c.%(new)s, r.%(col2)s
                          FROM demo_catalogue c
                          JOIN %(table)s r ON r.%(col1)s = c.%(old)s
                        """,
                        table=SQL.identifier(field.relation),
                        col1=SQL.identifier(field.column1),
                        col2=SQL.identifier(field.column2),
                        new=SQL.identifier(f"{key}_id"),
                        old=SQL.identifier(f"base_{key}"),
                    )
                )
    for table in ("product_template", "product_product", "product_supplierinfo"):
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    cr.execute("SELECT product_id FROM demo_catalogue ORDER BY idx")
    master.products = master.products + [row[0] for row in cr.fetchall()]
    env.invalidate_all()
    _logger.info("catalogue: %d products", len(master.products))


def _copy(
    cr, table, old, new, overrides, match="id", source="demo_catalogue", where=None
):
    """INSERT a copy of the rows of ``table`` whose ``match`` column is
    ``c.<old>``, one per row c of ``source`` (and ``where``), with
    ``overrides`` {column: SQL over t (the original) and c}; the id is
    ``c.<new>``, or a fresh one."""
    cr.execute(
        SQL(
            "SELECT column_name FROM information_schema.columns WHERE table_schema"
            " = 'public' AND table_name = %s ORDER BY ordinal_position",
            table,
        )
    )
    columns = [name for (name,) in cr.fetchall() if name != "id"]
    ids = [SQL.identifier("id")] if new else []
    values = [SQL("c.%s", SQL.identifier(new))] if new else []
    cr.execute(
        SQL(
            "INSERT INTO %(table)s (%(columns)s) SELECT %(values)s"
            " FROM %(source)s c JOIN %(table)s t ON t.%(match)s = c.%(old)s"
            " WHERE %(where)s",
            table=SQL.identifier(table),
            columns=SQL(", ").join(ids + [SQL.identifier(name) for name in columns]),
            values=SQL(", ").join(
                values
                + [
                    overrides.get(name, SQL("t.%s", SQL.identifier(name)))
                    for name in columns
                ]
            ),
            source=SQL.identifier(source),
            match=SQL.identifier(match),
            old=SQL.identifier(old),
            where=where or SQL("TRUE"),
        )
    )


def copy_opening_stock(env, master, plan):
    """The opening stock of the sizes, copied from their product's opening
    inventory (the move, its line, its valuation layer, the quants of stock
    and of the inventory loss location) with their own quantity, as the
    ORM's inventory adjustment writes it for the 40 products."""
    count = len(names.PRODUCTS)
    if len(master.products) <= count:
        return
    cr = env.cr
    env.flush_all()
    delivered = plan.delivered_quantities()
    sizes = list(enumerate(master.products))[count:]
    cr.execute(
        SQL(
            """
            CREATE TEMPORARY TABLE demo_opening ON COMMIT DROP AS
            SELECT s.product_id, base.product_id AS base_product,
                   s.qty::numeric AS qty,
                   (SELECT max(m.id) FROM stock_move m
                     WHERE m.product_id = base.product_id AND m.is_inventory
                       AND m.state = 'done') AS base_move,
                   nextval(pg_get_serial_sequence('stock_move', 'id'))::int AS move_id,
                   nextval(pg_get_serial_sequence('stock_move_line', 'id'))::int
                       AS move_line_id,
                   nextval(pg_get_serial_sequence('stock_valuation_layer', 'id'))::int
                       AS layer_id,
                   ' 规格' || lpad((s.idx / %(count)s + 1)::text, 3, '0') AS suffix
              FROM unnest(%(idx)s::int[], %(products)s::int[], %(qties)s::float8[])
                   AS s(idx, product_id, qty)
              JOIN unnest(%(base)s::int[]) WITH ORDINALITY AS base(product_id, pos)
                ON base.pos = mod(s.idx, %(count)s) + 1
            """,
            count=count,
            idx=[i for i, __ in sizes],
            products=[product for __, product in sizes],
            qties=[
                float(round(delivered[i] * 1.1) + names.PRODUCTS[i % count][5] * 20)
                for i, __ in sizes
            ],
            base=master.products[:count],
        )
    )
    cr.execute(
        """
        ALTER TABLE demo_opening ADD base_source int, ADD base_dest int;
        UPDATE demo_opening o SET base_source = m.location_id,
               base_dest = m.location_dest_id
          FROM stock_move m WHERE m.id = o.base_move;
        ANALYZE demo_opening
        """
    )
    _copy(
        cr, "stock_move", "base_move", "move_id",
        {
            "product_id": SQL("c.product_id"),
            "product_uom_qty": SQL("c.qty"),
            "product_qty": SQL("c.qty"),
            "quantity": SQL("c.qty"),
        },
        match="id", source="demo_opening",
    )  # fmt: skip
    _copy(
        cr, "stock_move_line", "base_move", "move_line_id",
        {
            "move_id": SQL("c.move_id"),
            "product_id": SQL("c.product_id"),
            "quantity": SQL("c.qty"),
            "quantity_product_uom": SQL("c.qty"),
        },
        match="move_id", source="demo_opening",
    )  # fmt: skip
    _copy(
        cr, "stock_valuation_layer", "base_move", "layer_id",
        {
            "stock_move_id": SQL("c.move_id"),
            "product_id": SQL("c.product_id"),
            "quantity": SQL("c.qty"),
            "remaining_qty": SQL("c.qty"),
            "value": SQL("round(c.qty * t.unit_cost, 2)"),
            "remaining_value": SQL("round(c.qty * t.unit_cost, 2)"),
            "description": SQL("t.description || c.suffix"),
        },
        match="stock_move_id", source="demo_opening",
    )  # fmt: skip
    # the quants of the locations of the inventory move: stock and inventory loss
    _copy(
        cr, "stock_quant", "base_product", None,
        {
            "product_id": SQL("c.product_id"),
            "quantity": SQL(
                "CASE WHEN t.location_id = c.base_dest THEN c.qty ELSE -c.qty END"
            ),
            "inventory_diff_quantity": SQL(
                "CASE WHEN t.location_id = c.base_dest THEN t.inventory_diff_quantity"
                " ELSE c.qty END"
            ),
        },
        match="product_id", source="demo_opening",
        where=SQL("t.location_id IN (c.base_source, c.base_dest)"),
    )  # fmt: skip
    for table in (
        "stock_move",
        "stock_move_line",
        "stock_valuation_layer",
        "stock_quant",
    ):
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    env.invalidate_all()
    _logger.info("opening stock of %d sizes", len(sizes))


def spread_over_catalogue(plan, seed, sizes):
    """Give each order line one size of its product: the first sizes sell
    more (a long tail), the products of one order stay distinct."""
    if sizes <= 1:
        return
    rng = random.Random(f"{seed}:catalogue")
    count = len(names.PRODUCTS)
    for order in plan.orders:
        order.lines = [
            (product + count * int(sizes * rng.random() ** 2), qty, price)
            for product, qty, price in order.lines
        ]


def load_warehouses(env, master):
    """The extra warehouses (ids), created once through the ORM."""
    Warehouse = env["stock.warehouse"]
    warehouses = Warehouse.search(
        [
            ("company_id", "=", master.company.id),
            ("code", "in", [code for __, code in WAREHOUSES]),
        ]
    )
    missing = [
        {"name": name, "code": code, "company_id": master.company.id}
        for name, code in WAREHOUSES
        if code not in warehouses.mapped("code")
    ]
    if missing:
        warehouses |= Warehouse.create(missing)
    return warehouses.sorted("code")


def spread_open_orders(env, master, warehouses):
    """Every third open order to each extra warehouse: quotations, and
    confirmed orders whose delivery waits (nothing reserved on it)."""
    cr = env.cr
    env.flush_all()
    customers = env.ref("stock.stock_location_customers").id
    targets = []
    for position, warehouse in enumerate(warehouses, start=1):
        rule = env["stock.rule"].search(
            [
                ("picking_type_id", "=", warehouse.out_type_id.id),
                ("location_dest_id", "=", customers),
            ],
            limit=1,
        )
        targets.append(
            (
                position,
                warehouse.id,
                warehouse.lot_stock_id.id,
                warehouse.out_type_id.id,
                rule.id or None,
            )
        )
    cr.execute(
        SQL(
            """
            CREATE TEMPORARY TABLE demo_spread ON COMMIT DROP AS
            SELECT so.id AS order_id, t.warehouse_id, t.stock_id, t.type_id,
                   t.rule_id
              FROM sale_order so
              JOIN unnest(%(positions)s::int[], %(warehouses)s::int[],
                          %(stocks)s::int[], %(types)s::int[], %(rules)s::int[])
                   AS t(position, warehouse_id, stock_id, type_id, rule_id)
                ON t.position = mod(so.id, %(modulo)s)
             WHERE so.company_id = %(company)s AND so.warehouse_id = %(main)s
               AND (so.state IN ('draft', 'sent')
                    OR (so.state = 'sale' AND EXISTS (
                        SELECT FROM stock_picking p
                         WHERE p.sale_id = so.id
                           AND p.state IN ('waiting', 'confirmed'))))
            """,
            positions=[t[0] for t in targets],
            warehouses=[t[1] for t in targets],
            stocks=[t[2] for t in targets],
            types=[t[3] for t in targets],
            rules=[t[4] for t in targets],
            modulo=len(targets) + 1,
            company=master.company.id,
            main=master.warehouse.id,
        )
    )
    cr.execute("ANALYZE demo_spread")
    cr.execute(
        """
        UPDATE sale_order so SET warehouse_id = s.warehouse_id
          FROM demo_spread s WHERE so.id = s.order_id;
        UPDATE stock_picking p
           SET picking_type_id = s.type_id, location_id = s.stock_id
          FROM demo_spread s
         WHERE p.sale_id = s.order_id AND p.state IN ('waiting', 'confirmed');
        UPDATE stock_move m
           SET picking_type_id = s.type_id, location_id = s.stock_id,
               warehouse_id = s.warehouse_id, rule_id = COALESCE(s.rule_id, m.rule_id)
          FROM stock_picking p JOIN demo_spread s ON s.order_id = p.sale_id
         WHERE m.picking_id = p.id AND p.state IN ('waiting', 'confirmed')
        """
    )
    cr.execute("SELECT count(*) FROM demo_spread")
    count = cr.fetchone()[0]
    env.invalidate_all()
    _logger.info("open orders moved to the other warehouses: %d", count)


def load_opportunities(bulk, master):
    """Opportunities behind three open quotations out of five, with the
    probability of their stage."""
    env, cr = bulk.env, bulk.cr
    env.flush_all()
    stages = [
        (env.ref(xmlid).id, probability) for xmlid, probability in OPPORTUNITY_STAGES
    ]
    cr.execute(
        SQL(
            """
            CREATE TEMPORARY TABLE demo_opportunity ON COMMIT DROP AS
            SELECT nextval(pg_get_serial_sequence('crm_lead', 'id'))::int AS id,
                   so.id AS order_id, so.partner_id, so.user_id, so.team_id,
                   so.amount_untaxed, so.date_order, so.company_id,
                   partner.name || '：' || so.name AS name,
                   partner.email, partner.phone,
                   st.stage_id, st.probability
              FROM sale_order so
              JOIN res_partner partner ON partner.id = so.partner_id
              JOIN unnest(%(stages)s::int[], %(probabilities)s::float8[])
                   WITH ORDINALITY AS st(stage_id, probability, position)
                ON st.position = 1 + mod(so.id / 5, %(stage_count)s)
             WHERE so.state IN ('draft', 'sent') AND so.opportunity_id IS NULL
               AND so.company_id = %(company)s AND mod(so.id, 5) < 3
            """,
            stages=[stage for stage, __ in stages],
            probabilities=[float(p) for __, p in stages],
            stage_count=len(stages),
            company=master.company.id,
        )
    )
    cr.execute("ANALYZE demo_opportunity")
    cr.execute("SELECT count(*) FROM demo_opportunity")
    if not cr.fetchone()[0]:
        return
    count = bulk.insert(
        "crm_lead",
        "crm.lead",
        SQL(
            """
            SELECT o.id, o.name, 'opportunity' AS type, o.partner_id,
                   o.name AS partner_name, o.email AS email_from,
                   lower(o.email) AS email_normalized, o.phone,
                   o.user_id, o.team_id, o.company_id, o.stage_id,
                   o.probability, o.probability AS automated_probability,
                   o.amount_untaxed AS expected_revenue,
                   round((o.amount_untaxed * o.probability / 100.0)::numeric, 2)
                       AS prorated_revenue,
                   true AS active, o.date_order AS date_open,
                   o.date_order AS date_last_stage_update,
                   o.date_order AS date_conversion,
                   1 AS create_uid, 1 AS write_uid,
                   o.date_order AS create_date, o.date_order AS write_date
              FROM demo_opportunity o ORDER BY o.id
            """
        ),
    )
    cr.execute(
        """
        UPDATE sale_order so SET opportunity_id = o.id
          FROM demo_opportunity o WHERE so.id = o.order_id
        """
    )
    cr.execute("ANALYZE crm_lead")
    env.invalidate_all()
    _logger.info("opportunities behind open quotations: %d", count)
