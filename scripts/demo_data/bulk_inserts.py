"""Bulk path, second half: the INSERT ... SELECT of each Odoo table.

Mixed into :class:`.bulk_loader.BulkLoader`, which stages the rows
(``demo_order``, ``demo_line``, ``demo_tax_line`` and the small
``demo_product``, ``demo_tax``, ``demo_tax_tag``) and provides ``insert()``:
each statement selects from the staging tables, its column aliases naming the
columns of the Odoo table. The values are those the ORM writes for the same
documents, see :mod:`.bulk_staging`.
"""

from odoo.tools import SQL


class DocumentInserts:
    """Sale orders, deliveries, invoices, credit notes, payments, reconciliations."""

    def params(self, **extra):
        """Named SQL parameters shared by the inserts."""
        k = self.k
        return {
            "company": k["company"],
            "currency": k["currency"],
            "warehouse": k["warehouse"],
            "stock": k["stock"],
            "customers": k["customers"],
            **extra,
        }

    def insert_sale_orders(self):
        k = self.k
        self.insert(
            "procurement_group",
            "procurement.group",
            SQL(
                """
                SELECT o.pg_id AS id, o.so_name AS name, o.partner_id,
                       'direct' AS move_type, 1 AS create_uid, 1 AS write_uid,
                       o.date_order AS create_date, o.date_order AS write_date
                  FROM demo_order o WHERE o.pg_id IS NOT NULL ORDER BY o.seq
                """
            ),
        )
        self.insert(
            "sale_order",
            "sale.order",
            SQL(
                """
                SELECT o.so_id AS id, o.so_name AS name, o.partner_id,
                       o.partner_id AS partner_invoice_id,
                       o.partner_id AS partner_shipping_id,
                       %(company)s AS company_id, %(currency)s AS currency_id,
                       o.user_id,
                       o.team_id, o.payment_term_id, o.state, o.client_order_ref,
                       o.date_order, o.validity_date, o.invoice_status,
                       1.0 AS currency_rate,
                       o.untaxed AS amount_untaxed, o.tax AS amount_tax,
                       o.total AS amount_total, false AS locked,
                       %(sign)s AS require_signature, %(pay)s AS require_payment,
                       %(prepayment)s AS prepayment_percent,
                       %(warehouse)s AS warehouse_id,
                       o.pg_id AS procurement_group_id, 'direct' AS picking_policy,
                       o.delivery_status, o.delivery_at AS effective_date,
                       1 AS create_uid, 1 AS write_uid, o.date_order AS create_date,
                       o.date_order AS write_date
                  FROM demo_order o ORDER BY o.seq
                """,
                **self.params(sign=k["sign"], pay=k["pay"], prepayment=k["prepayment"]),
            ),
        )
        self.execute(
            SQL(
                """
                UPDATE procurement_group g SET sale_id = o.so_id
                  FROM demo_order o WHERE g.id = o.pg_id
                """
            )
        )
        self.insert(
            "sale_order_line",
            "sale.order.line",
            SQL(
                """
                SELECT l.sol_id AS id, o.so_id AS order_id, 10 AS sequence,
                       %(company)s AS company_id, %(currency)s AS currency_id,
                       o.partner_id AS order_partner_id, o.user_id AS salesman_id,
                       l.product_id, p.uom AS product_uom, o.state,
                       'stock_move' AS qty_delivered_method, l.invoice_status,
                       p.display_name AS name, l.qty AS product_uom_qty, l.price_unit,
                       0 AS discount, l.subtotal AS price_subtotal,
                       l.total AS price_total,
                       l.tax_amount AS price_tax,
                       round(l.subtotal / l.qty, 2) AS price_reduce_taxexcl,
                       round(l.total / l.qty, 2) AS price_reduce_taxinc,
                       l.price_unit AS technical_price_unit, l.qty_delivered,
                       l.qty_invoiced, l.qty_to_invoice,
                       l.amount_invoiced AS untaxed_amount_invoiced,
                       l.amount_to_invoice AS untaxed_amount_to_invoice,
                       false AS is_downpayment, false AS is_expense,
                       0 AS product_packaging_qty, 0 AS customer_lead,
                       %(warehouse)s AS warehouse_id, 1 AS create_uid, 1 AS write_uid,
                       o.date_order AS create_date, o.date_order AS write_date
                  FROM demo_line l
                  JOIN demo_order o ON o.seq = l.seq
                  JOIN demo_product p ON p.id = l.product_id
                 ORDER BY l.k
                """,
                **self.params(),
            ),
        )
        self.execute(
            SQL(
                """
                INSERT INTO account_tax_sale_order_line_rel (sale_order_line_id,
                            account_tax_id)
                SELECT sol_id, tax_id FROM demo_line WHERE tax_id IS NOT NULL
                """
            )
        )

    def insert_deliveries(self):
        k = self.k
        params = self.params(
            out_type=k["out_type"],
            return_type=k["return_type"],
            rule=SQL("%s::int", k["rule"]),  # a NULL of the column's type
        )
        # deliveries, then the returns: from the customers back to stock
        for picking in ("delivery", "return"):
            delivery = picking == "delivery"
            self.insert(
                "stock_picking",
                "stock.picking",
                SQL(
                    """
                    SELECT %(id)s AS id, %(name)s AS name, %(origin)s AS origin,
                           %(source)s AS location_id,
                           %(destination)s AS location_dest_id,
                           %(type)s AS picking_type_id, %(state)s AS state,
                           %(scheduled)s AS scheduled_date, %(created)s AS date,
                           %(done)s AS date_done, %(return_id)s AS return_id,
                           %(company)s AS company_id, 'direct' AS move_type,
                           '0' AS priority, false AS has_deadline_issue,
                           true AS is_locked,
                           o.pg_id AS group_id, o.partner_id, o.so_id AS sale_id,
                           1 AS create_uid, 1 AS write_uid, %(created)s AS create_date,
                           COALESCE(%(done)s, %(created)s) AS write_date
                      FROM demo_order o WHERE %(id)s IS NOT NULL ORDER BY o.seq
                    """,
                    **params,
                    **(
                        {
                            "id": SQL("o.picking_id"),
                            "name": SQL("o.picking_name"),
                            "origin": SQL("o.so_name"),
                            "source": k["stock"],
                            "destination": k["customers"],
                            "type": k["out_type"],
                            "state": SQL("o.picking_state"),
                            "scheduled": SQL("o.scheduled"),
                            "created": SQL("o.date_order"),
                            "done": SQL("o.delivery_at"),
                            "return_id": SQL("NULL::int"),
                        }
                        if delivery
                        else {
                            "id": SQL("o.ret_picking_id"),
                            "name": SQL("o.ret_picking_name"),
                            "origin": SQL("'Return of ' || o.picking_name"),
                            "source": k["customers"],
                            "destination": k["stock"],
                            "type": k["return_type"],
                            "state": "done",
                            "scheduled": SQL("o.return_at"),
                            "created": SQL("o.return_at"),
                            "done": SQL("o.return_at"),
                            "return_id": SQL("o.picking_id"),
                        }
                    ),
                ),
            )
        source = SQL(
            """
            demo_line l
            JOIN demo_order o ON o.seq = l.seq
            JOIN demo_product p ON p.id = l.product_id
            """
        )
        common = SQL(
            """
            10 AS sequence, %(company)s AS company_id, l.product_id,
            p.uom AS product_uom,
            o.partner_id, o.pg_id AS group_id, %(warehouse)s AS warehouse_id,
            p.display_name AS name, '0' AS priority, o.so_name AS origin,
            'make_to_stock' AS procure_method, p.name AS description_picking,
            l.qty AS product_qty, l.qty AS product_uom_qty, false AS scrapped,
            false AS propagate_cancel, false AS additional, false AS is_inventory,
            l.sol_id AS sale_line_id, 1 AS create_uid, 1 AS write_uid
            """,
            **params,
        )
        self.insert(
            "stock_move",
            "stock.move",
            SQL(
                """
                SELECT l.move_id AS id, %(stock)s AS location_id,
                       %(customers)s AS location_dest_id,
                       %(customers)s AS location_final_id,
                       o.picking_id, %(rule)s AS rule_id,
                       %(out_type)s AS picking_type_id,
                       o.picking_state AS state, o.picking_name AS reference,
                       CASE WHEN o.delivery_at IS NULL THEN 0 ELSE l.qty END
                           AS quantity,
                       o.delivery_at IS NOT NULL AS picked, o.scheduled AS date,
                       false AS to_refund, %(common)s, o.date_order AS create_date,
                       o.scheduled AS write_date
                  FROM %(source)s WHERE l.move_id IS NOT NULL ORDER BY l.k
                """,
                common=common,
                source=source,
                **params,
            ),
        )
        self.insert(
            "stock_move",
            "stock.move",
            SQL(
                """
                SELECT l.ret_move_id AS id, %(customers)s AS location_id,
                       %(stock)s AS location_dest_id, o.ret_picking_id AS picking_id,
                       %(return_type)s AS picking_type_id, 'done' AS state,
                       o.ret_picking_name AS reference, l.qty AS quantity,
                       true AS picked,
                       o.return_at AS date, true AS to_refund,
                       l.move_id AS origin_returned_move_id, %(common)s,
                       o.return_at AS create_date, o.return_at AS write_date
                  FROM %(source)s WHERE l.ret_move_id IS NOT NULL ORDER BY l.k
                """,
                common=common,
                source=source,
                **params,
            ),
        )
        self.execute(
            SQL(
                """
                INSERT INTO stock_move_move_rel (move_orig_id, move_dest_id)
                SELECT move_id, ret_move_id FROM demo_line WHERE ret_move_id IS NOT NULL
                """
            )
        )
        for kind in ("delivery", "return"):
            prefix = "" if kind == "delivery" else "ret_"
            columns = {
                "id": SQL.identifier("l", f"{prefix}ml_id"),
                "move": SQL.identifier("l", f"{prefix}move_id"),
                "svl": SQL.identifier("l", f"{prefix}svl_id"),
                "picking": SQL.identifier("o", f"{prefix}picking_id"),
                "reference": SQL.identifier("o", f"{prefix}picking_name"),
                "moment": SQL("o.delivery_at" if kind == "delivery" else "o.return_at"),
                "source": k["stock"] if kind == "delivery" else k["customers"],
                "destination": k["customers"] if kind == "delivery" else k["stock"],
                "sign": -1 if kind == "delivery" else 1,
                # standard cost: the layers of returns keep what they brought in
                "remaining": SQL("0" if kind == "delivery" else "l.qty"),
                "remaining_value": SQL(
                    "NULL::numeric"
                    if kind == "delivery"
                    else "round(l.qty * p.cost, 2)"
                ),
            }
            self.insert(
                "stock_move_line",
                "stock.move.line",
                SQL(
                    """
                    SELECT %(id)s AS id, %(picking)s AS picking_id, %(move)s AS move_id,
                           %(company)s AS company_id, l.product_id,
                           p.uom AS product_uom_id,
                           %(source)s AS location_id,
                           %(destination)s AS location_dest_id,
                           'done' AS state, %(reference)s AS reference,
                           l.qty AS quantity,
                           l.qty AS quantity_product_uom, true AS picked,
                           %(moment)s AS date,
                           1 AS create_uid, 1 AS write_uid, %(moment)s AS create_date,
                           %(moment)s AS write_date
                      FROM %(from)s WHERE %(id)s IS NOT NULL ORDER BY l.k
                    """,
                    **columns,
                    company=k["company"],
                    **{"from": source},
                ),
            )
            self.insert(
                "stock_valuation_layer",
                "stock.valuation.layer",
                SQL(
                    """
                    SELECT %(svl)s AS id, %(company)s AS company_id, l.product_id,
                           p.categ AS categ_id, %(move)s AS stock_move_id,
                           %(reference)s || ' - ' || p.name AS description,
                           %(sign)s * l.qty AS quantity, p.cost AS unit_cost,
                           %(sign)s * round(l.qty * p.cost, 2) AS value,
                           %(remaining)s AS remaining_qty,
                           %(remaining_value)s AS remaining_value, 1 AS create_uid,
                           1 AS write_uid, %(moment)s AS create_date,
                           %(moment)s AS write_date
                      FROM %(from)s WHERE %(svl)s IS NOT NULL ORDER BY l.k
                    """,
                    **columns,
                    company=k["company"],
                    **{"from": source},
                ),
            )
        self.update_quants()

    def update_quants(self):
        """Quants of stock and customers move by the net quantity delivered."""
        self.execute(
            SQL(
                """
                CREATE TEMPORARY TABLE demo_quant ON COMMIT DROP AS
                SELECT product_id, location_id, sum(qty) AS qty, min(moment) AS moment
                  FROM (SELECT l.product_id, %(stock)s AS location_id, -l.qty AS qty,
                               o.delivery_at AS moment
                          FROM demo_line l JOIN demo_order o ON o.seq = l.seq
                         WHERE l.ml_id IS NOT NULL
                        UNION ALL
                        SELECT l.product_id, %(customers)s, l.qty, o.delivery_at
                          FROM demo_line l JOIN demo_order o ON o.seq = l.seq
                         WHERE l.ml_id IS NOT NULL
                        UNION ALL
                        SELECT l.product_id, %(customers)s, -l.qty, o.return_at
                          FROM demo_line l JOIN demo_order o ON o.seq = l.seq
                         WHERE l.ret_ml_id IS NOT NULL
                        UNION ALL
                        SELECT l.product_id, %(stock)s, l.qty, o.return_at
                          FROM demo_line l JOIN demo_order o ON o.seq = l.seq
                         WHERE l.ret_ml_id IS NOT NULL) AS moves
                 GROUP BY product_id, location_id;

                UPDATE stock_quant q SET quantity = q.quantity + d.qty,
                       write_date = now()
                  FROM demo_quant d
                 WHERE q.id = (SELECT min(q2.id) FROM stock_quant q2
                                WHERE q2.product_id = d.product_id
                                  AND q2.location_id = d.location_id
                                  AND q2.lot_id IS NULL
                                  AND q2.package_id IS NULL AND q2.owner_id IS NULL)
                """,
                **self.params(),
            )
        )
        self.cr.execute("SELECT COALESCE(max(id), 0) FROM stock_quant")
        last_id = self.cr.fetchone()[0]
        count = self.insert(
            "stock_quant",
            "stock.quant",
            SQL(
                """
                SELECT d.product_id, d.location_id, %(company)s AS company_id,
                       d.qty AS quantity, 0 AS reserved_quantity, d.moment AS in_date,
                       1 AS create_uid, 1 AS write_uid, d.moment AS create_date,
                       d.moment AS write_date
                  FROM demo_quant d
                 WHERE NOT EXISTS (SELECT FROM stock_quant q
                                    WHERE q.product_id = d.product_id
                                      AND q.location_id = d.location_id
                                      AND q.lot_id IS NULL AND q.package_id IS NULL
                                      AND q.owner_id IS NULL)
                """,
                **self.params(),
            ),
        )
        if count:  # ids from the sequence: check them with the others
            self.ids.ranges["stock_quant"].append((last_id + 1, last_id + count))

    def insert_invoices(self):
        k = self.k
        self.insert(
            "account_full_reconcile",
            "account.full.reconcile",
            SQL(
                """
                SELECT o.full_id AS id, 1 AS create_uid, 1 AS write_uid,
                       COALESCE(o.payment_date,
                       o.refund_date)::timestamp AS create_date,
                       COALESCE(o.payment_date, o.refund_date)::timestamp AS write_date
                  FROM demo_order o WHERE o.full_id IS NOT NULL ORDER BY o.full_id
                """
            ),
        )
        # what invoices and credit notes share
        label = SQL(
            "CASE o.ref_kind WHEN 'return' THEN %s ELSE %s END || o.inv_name",
            "退货 ",
            "价格折让 ",
        )
        params = self.params(journal=k["journal"].id, receivable=k["receivable"])
        move_columns = SQL(
            """
            %(journal)s AS journal_id, %(company)s AS company_id,
            %(currency)s AS currency_id, o.partner_id,
            o.partner_id AS commercial_partner_id,
            o.partner_id AS partner_shipping_id,
            o.payment_term_id AS invoice_payment_term_id,
            o.user_id AS invoice_user_id, o.team_id, 'posted' AS state,
            'no' AS auto_post,
            o.partner_name AS invoice_partner_display_name, o.so_name AS invoice_origin,
            1.0 AS invoice_currency_rate, false AS is_storno,
            false AS always_tax_exigible, true AS checked, true AS posted_before,
            false AS made_sequence_gap, false AS is_manually_modified, 1 AS create_uid,
            1 AS write_uid
            """,
            **params,
        )
        # documents: (move id, name, prefix, number, type, date, due, amounts, sign...)
        documents = {
            "inv": {
                "id": SQL("o.inv_id"),
                "name": SQL("o.inv_name"),
                "prefix": SQL("o.inv_prefix"),
                "number": SQL("o.inv_number"),
                "type": "out_invoice",
                "date": SQL("o.invoice_date"),
                "due": SQL("o.due_date"),
                "untaxed": SQL("o.untaxed"),
                "tax": SQL("o.tax"),
                "total": SQL("o.total"),
                "residual": SQL("o.inv_residual"),
                "sign": 1,
                "ref": SQL("o.client_order_ref"),
                "payment_reference": SQL("o.inv_name"),
                "payment_state": SQL("o.inv_payment_state"),
                "bank": SQL("%s::int", k["invoice_bank"]),
                "reversed": SQL("NULL::int"),
                "delivery": SQL("o.delivery_at::date"),
            },
            "ref": {
                "id": SQL("o.ref_id"),
                "name": SQL("o.ref_name"),
                "prefix": SQL("o.ref_prefix"),
                "number": SQL("o.ref_number"),
                "type": "out_refund",
                "date": SQL("o.refund_date"),
                "due": SQL("o.ref_due"),
                "untaxed": SQL("o.ref_untaxed"),
                "tax": SQL("o.ref_tax"),
                "total": SQL("o.ref_total"),
                "residual": SQL("0"),
                "sign": -1,
                "ref": label,
                "payment_reference": None,
                "payment_state": "paid",
                "bank": SQL("NULL::int"),
                "reversed": SQL("o.inv_id"),
                # the lines of a return still point to the delivered order lines
                "delivery": SQL(
                    "CASE WHEN o.ref_kind = 'return' THEN o.delivery_at::date END"
                ),
            },
        }
        for doc in documents.values():
            self.insert(
                "account_move",
                "account.move",
                SQL(
                    """
                    SELECT %(id)s AS id, %(name)s AS name,
                           %(prefix)s AS sequence_prefix,
                           %(number)s AS sequence_number, %(type)s AS move_type,
                           %(payment_reference)s AS payment_reference,
                           %(payment_state)s AS payment_state,
                           %(bank)s AS partner_bank_id, %(ref)s AS ref,
                           %(reversed)s AS reversed_entry_id, %(date)s AS date,
                           %(date)s AS invoice_date, %(due)s AS invoice_date_due,
                           %(delivery)s AS delivery_date, %(untaxed)s AS amount_untaxed,
                           %(tax)s AS amount_tax, %(total)s AS amount_total,
                           %(residual)s AS amount_residual,
                           %(sign)s * %(untaxed)s AS amount_untaxed_signed,
                           %(sign)s * %(untaxed)s AS amount_untaxed_in_currency_signed,
                           %(sign)s * %(tax)s AS amount_tax_signed,
                           %(sign)s * %(total)s AS amount_total_signed,
                           %(sign)s * %(total)s AS amount_total_in_currency_signed,
                           %(sign)s * %(residual)s AS amount_residual_signed,
                           %(move_columns)s,
                           %(date)s + interval '2 hours' AS create_date,
                           %(date)s + interval '2 hours' AS write_date
                      FROM demo_order o WHERE %(id)s IS NOT NULL ORDER BY o.seq
                    """,
                    move_columns=move_columns,
                    **doc,
                ),
            )
        line_columns = SQL(
            """
            %(journal)s AS journal_id, %(company)s AS company_id,
            %(currency)s AS company_currency_id, %(currency)s AS currency_id,
            o.partner_id,
            'posted' AS parent_state, 0 AS discount, false AS is_imported,
            false AS is_downpayment, 1 AS create_uid, 1 AS write_uid
            """,
            **params,
        )
        # product lines: credit on invoices, debit on credit notes
        for kind, doc in documents.items():
            invoice = kind == "inv"
            line = {
                "id": SQL("l.inv_aml_id" if invoice else "l.ref_aml_id"),
                "name": SQL("p.display_name" if invoice else "l.ref_name"),
                "price": SQL("l.price_unit" if invoice else "l.ref_price_unit"),
                "subtotal": SQL("l.subtotal" if invoice else "l.ref_subtotal"),
                "total": SQL("l.total" if invoice else "l.ref_total"),
            }
            self.insert(
                "account_move_line",
                "account.move.line",
                SQL(
                    """
                    SELECT %(line_id)s AS id, %(move_id)s AS move_id,
                           %(move_name)s AS move_name, %(ref)s AS ref,
                           l.position AS sequence, p.income AS account_id, l.product_id,
                           p.uom AS product_uom_id, %(line_name)s AS name,
                           'product' AS display_type, %(date)s AS date,
                           %(date)s AS invoice_date,
                           GREATEST(-%(sign)s * %(subtotal)s, 0) AS debit,
                           GREATEST(%(sign)s * %(subtotal)s, 0) AS credit,
                           -%(sign)s * %(subtotal)s AS balance,
                           -%(sign)s * %(subtotal)s AS amount_currency,
                           0 AS amount_residual, 0 AS amount_residual_currency,
                           0 AS tax_base_amount, l.qty AS quantity,
                           %(price)s AS price_unit,
                           %(subtotal)s AS price_subtotal, %(total)s AS price_total,
                           %(invert)s AS tax_tag_invert, false AS reconciled,
                           %(line_columns)s,
                           %(date)s + interval '2 hours' AS create_date,
                           %(date)s + interval '2 hours' AS write_date
                      FROM demo_line l
                      JOIN demo_order o ON o.seq = l.seq
                      JOIN demo_product p ON p.id = l.product_id
                     WHERE %(line_id)s IS NOT NULL ORDER BY l.k
                    """,
                    line_id=line["id"],
                    move_id=doc["id"],
                    move_name=doc["name"],
                    ref=doc["ref"],
                    line_name=line["name"],
                    date=doc["date"],
                    sign=doc["sign"],
                    subtotal=line["subtotal"],
                    price=line["price"],
                    total=line["total"],
                    invert=invoice,
                    line_columns=line_columns,
                ),
            )
        # tax lines
        self.insert(
            "account_move_line",
            "account.move.line",
            SQL(
                """
                SELECT t.aml_id AS id, t.move_id,
                       CASE WHEN t.kind = 'inv' THEN o.inv_name ELSE o.ref_name END
                           AS move_name,
                       CASE WHEN t.kind = 'inv' THEN o.client_order_ref
                            ELSE %(label)s END
                           AS ref,
                       10000 AS sequence, x.account AS account_id,
                       t.tax_id AS tax_line_id,
                       x.tax_group AS tax_group_id,
                       x.repartition AS tax_repartition_line_id,
                       x.name, 'tax' AS display_type, d.day AS date,
                       d.day AS invoice_date,
                       CASE WHEN t.kind = 'inv' THEN 0 ELSE t.amount END AS debit,
                       CASE WHEN t.kind = 'inv' THEN t.amount ELSE 0 END AS credit,
                       d.sign * t.amount AS balance,
                       d.sign * t.amount AS amount_currency,
                       0 AS amount_residual, 0 AS amount_residual_currency,
                       t.base AS tax_base_amount, 0 AS quantity, 0 AS price_unit,
                       0 AS price_subtotal, 0 AS price_total,
                       t.kind = 'inv' AS tax_tag_invert, false AS reconciled,
                       %(line_columns)s, d.day + interval '2 hours' AS create_date,
                       d.day + interval '2 hours' AS write_date
                  FROM demo_tax_line t
                  JOIN demo_order o ON o.seq = t.seq
                  JOIN demo_tax x ON x.id = t.tax_id AND x.kind = t.kind
                 CROSS JOIN LATERAL (
                       SELECT CASE WHEN t.kind = 'inv' THEN o.invoice_date
                                   ELSE o.refund_date END AS day,
                              CASE WHEN t.kind = 'inv' THEN -1 ELSE 1 END AS sign) AS d
                 ORDER BY t.aml_id
                """,
                label=label,
                line_columns=line_columns,
            ),
        )
        # receivable lines; named as account.move.line._compute_name names them
        for kind, doc in documents.items():
            invoice = kind == "inv"
            self.insert(
                "account_move_line",
                "account.move.line",
                SQL(
                    """
                    SELECT %(line_id)s AS id, %(move_id)s AS move_id,
                           %(move_name)s AS move_name, %(ref)s AS ref,
                           12000 AS sequence,
                           %(receivable)s AS account_id, %(line_name)s AS name,
                           'payment_term' AS display_type, %(date)s AS date,
                           %(date)s AS invoice_date, %(due)s AS date_maturity,
                           GREATEST(%(sign)s * %(total)s, 0) AS debit,
                           GREATEST(-%(sign)s * %(total)s, 0) AS credit,
                           %(sign)s * %(total)s AS balance,
                           %(sign)s * %(total)s AS amount_currency,
                           %(residual)s AS amount_residual,
                           %(residual)s AS amount_residual_currency,
                           0 AS tax_base_amount,
                           0 AS quantity, 0 AS price_unit, 0 AS price_subtotal,
                           0 AS price_total, 0 AS discount_amount_currency,
                           0 AS discount_balance, false AS tax_tag_invert,
                           %(reconciled)s AS reconciled, o.full_id AS full_reconcile_id,
                           %(matching)s AS matching_number, %(line_columns)s,
                           %(date)s + interval '2 hours' AS create_date,
                           %(date)s + interval '2 hours' AS write_date
                      FROM demo_order o WHERE %(move_id)s IS NOT NULL ORDER BY o.seq
                    """,
                    line_id=SQL("o.inv_recv_aml" if invoice else "o.ref_recv_aml"),
                    move_id=doc["id"],
                    move_name=doc["name"],
                    ref=doc["ref"],
                    receivable=k["receivable"],
                    line_name=SQL(
                        "COALESCE(o.client_order_ref || ' - ', '') || o.inv_name"
                        if invoice
                        else "NULL"
                    ),
                    date=doc["date"],
                    due=doc["due"],
                    sign=doc["sign"],
                    total=doc["total"],
                    residual=SQL("o.inv_residual" if invoice else "0"),
                    reconciled=SQL("o.inv_reconciled" if invoice else "true"),
                    matching=SQL("o.inv_matching" if invoice else "o.ref_matching"),
                    line_columns=line_columns,
                ),
            )
        self.execute(
            SQL(
                """
                INSERT INTO account_move_line_account_tax_rel
                       (account_move_line_id, account_tax_id)
                SELECT inv_aml_id, tax_id FROM demo_line
                 WHERE inv_aml_id IS NOT NULL AND tax_id IS NOT NULL
                 UNION ALL
                SELECT ref_aml_id, tax_id FROM demo_line
                 WHERE ref_aml_id IS NOT NULL AND tax_id IS NOT NULL;

                INSERT INTO account_account_tag_account_move_line_rel
                       (account_move_line_id, account_account_tag_id)
                SELECT l.inv_aml_id, g.tag_id FROM demo_line l
                  JOIN demo_tax_tag g
                    ON g.tax_id = l.tax_id AND g.kind = 'inv' AND g.role = 'base'
                 WHERE l.inv_aml_id IS NOT NULL
                 UNION ALL
                SELECT l.ref_aml_id, g.tag_id FROM demo_line l
                  JOIN demo_tax_tag g
                    ON g.tax_id = l.tax_id AND g.kind = 'ref' AND g.role = 'base'
                 WHERE l.ref_aml_id IS NOT NULL
                 UNION ALL
                SELECT t.aml_id, g.tag_id FROM demo_tax_line t
                  JOIN demo_tax_tag g
                    ON g.tax_id = t.tax_id AND g.kind = t.kind AND g.role = 'tax';

                -- a return's credit note lines undo the invoiced quantities
                INSERT INTO sale_order_line_invoice_rel (invoice_line_id, order_line_id)
                SELECT inv_aml_id, sol_id FROM demo_line WHERE inv_aml_id IS NOT NULL
                 UNION ALL
                SELECT l.ref_aml_id, l.sol_id FROM demo_line l
                  JOIN demo_order o ON o.seq = l.seq
                 WHERE l.ref_aml_id IS NOT NULL AND o.ref_kind = 'return'
                """
            )
        )

    def insert_payments(self):
        k = self.k
        params = self.params(
            bank=k["bank"].id,
            outstanding=k["outstanding"],
            receivable=k["receivable"],
            label=k["method_label"],
        )
        created = SQL("o.payment_date + interval '3 hours'")
        self.insert(
            "account_payment",
            "account.payment",
            SQL(
                """
                SELECT o.pay_id AS id, %(bank)s AS journal_id,
                       %(company)s AS company_id,
                       %(method_line)s AS payment_method_line_id,
                       %(method)s AS payment_method_id, %(currency)s AS currency_id,
                       o.partner_id, %(outstanding)s AS outstanding_account_id,
                       %(receivable)s AS destination_account_id, o.pay_name AS name,
                       %(partner_bank)s AS partner_bank_id, 'paid' AS state,
                       'inbound' AS payment_type, 'customer' AS partner_type,
                       o.inv_name AS memo, o.payment_date AS date,
                       o.pay_amount AS amount,
                       o.pay_amount AS amount_company_currency_signed,
                       true AS is_reconciled, false AS is_matched, false AS is_sent,
                       1 AS create_uid, 1 AS write_uid, %(created)s AS create_date,
                       %(created)s AS write_date
                  FROM demo_order o WHERE o.pay_id IS NOT NULL ORDER BY o.seq
                """,
                method_line=k["method_line"],
                method=k["method"],
                partner_bank=SQL("%s::int", k["payment_bank"]),
                created=created,
                **params,
            ),
        )
        self.insert(
            "account_move",
            "account.move",
            SQL(
                """
                SELECT o.pay_move_id AS id, o.pay_name AS name,
                       o.pay_prefix AS sequence_prefix, o.pay_number AS sequence_number,
                       %(bank)s AS journal_id, %(company)s AS company_id,
                       %(currency)s AS currency_id, o.pay_id AS origin_payment_id,
                       o.partner_id, o.partner_id AS commercial_partner_id,
                       o.inv_name AS ref, 'posted' AS state, 'entry' AS move_type,
                       'no' AS auto_post, 'not_paid' AS payment_state,
                       o.partner_name AS invoice_partner_display_name,
                       o.payment_date AS date, o.payment_date AS invoice_date_due,
                       0 AS invoice_currency_rate, 0 AS amount_untaxed, 0 AS amount_tax,
                       o.pay_amount AS amount_total, 0 AS amount_residual,
                       0 AS amount_untaxed_signed,
                       0 AS amount_untaxed_in_currency_signed,
                       0 AS amount_tax_signed, o.pay_amount AS amount_total_signed,
                       o.pay_amount AS amount_total_in_currency_signed,
                       0 AS amount_residual_signed, false AS is_storno,
                       true AS always_tax_exigible, true AS checked,
                       true AS posted_before,
                       false AS made_sequence_gap, false AS is_manually_modified,
                       1 AS create_uid, 1 AS write_uid, %(created)s AS create_date,
                       %(created)s AS write_date
                  FROM demo_order o WHERE o.pay_id IS NOT NULL ORDER BY o.seq
                """,
                created=created,
                **params,
            ),
        )
        self.execute(
            SQL(
                """
                UPDATE account_payment p SET move_id = o.pay_move_id
                  FROM demo_order o WHERE p.id = o.pay_id
                """
            )
        )
        # the money on the outstanding account, the receivable settled
        for side in ("outstanding", "receivable"):
            outstanding = side == "outstanding"
            self.insert(
                "account_move_line",
                "account.move.line",
                SQL(
                    """
                    SELECT %(line_id)s AS id, o.pay_move_id AS move_id,
                           %(bank)s AS journal_id, %(company)s AS company_id,
                           %(currency)s AS company_currency_id,
                           %(currency)s AS currency_id,
                           o.partner_id, o.pay_id AS payment_id,
                           o.pay_name AS move_name,
                           'posted' AS parent_state, o.inv_name AS ref,
                           %(label)s || ': ' || o.inv_name AS name,
                           'product' AS display_type, 100 AS sequence,
                           o.payment_date AS date, o.payment_date AS date_maturity,
                           %(account)s AS account_id,
                           GREATEST(%(sign)s * o.pay_amount, 0) AS debit,
                           GREATEST(-%(sign)s * o.pay_amount, 0) AS credit,
                           %(sign)s * o.pay_amount AS balance,
                           %(sign)s * o.pay_amount AS amount_currency,
                           %(residual)s AS amount_residual,
                           %(residual)s AS amount_residual_currency,
                           %(sign)s * o.pay_amount AS price_subtotal,
                           %(sign)s * o.pay_amount AS price_total,
                           %(reconciled)s AS reconciled, %(full)s AS full_reconcile_id,
                           %(matching)s AS matching_number, 0 AS tax_base_amount,
                           1 AS quantity, 0 AS price_unit, 0 AS discount,
                           false AS tax_tag_invert, false AS is_imported,
                           false AS is_downpayment, 1 AS create_uid, 1 AS write_uid,
                           %(created)s AS create_date, %(created)s AS write_date
                      FROM demo_order o WHERE o.pay_id IS NOT NULL ORDER BY o.seq
                    """,
                    line_id=SQL("o.pay_out_aml" if outstanding else "o.pay_cp_aml"),
                    account=k["outstanding"] if outstanding else k["receivable"],
                    sign=1 if outstanding else -1,
                    residual=SQL("o.pay_amount" if outstanding else "0"),
                    reconciled=not outstanding,
                    full=SQL("NULL::int" if outstanding else "o.full_id"),
                    matching=SQL("NULL" if outstanding else "o.inv_matching"),
                    created=created,
                    **params,
                ),
            )
        self.execute(
            SQL(
                """
                INSERT INTO account_move__account_payment (invoice_id, payment_id)
                SELECT inv_id, pay_id FROM demo_order WHERE pay_id IS NOT NULL
                """
            )
        )
        # invoice receivable (debit) with the credit note's, then with the payment's
        for side in ("credit note", "payment"):
            refund = side == "credit note"
            self.insert(
                "account_partial_reconcile",
                "account.partial.reconcile",
                SQL(
                    """
                    SELECT %(id)s AS id, o.inv_recv_aml AS debit_move_id,
                           %(credit)s AS credit_move_id, o.full_id AS full_reconcile_id,
                           %(currency)s AS debit_currency_id,
                           %(currency)s AS credit_currency_id,
                           %(company)s AS company_id,
                           %(day)s AS max_date, %(amount)s AS amount,
                           %(amount)s AS debit_amount_currency,
                           %(amount)s AS credit_amount_currency, 1 AS create_uid,
                           1 AS write_uid, %(day)s + interval '3 hours' AS create_date,
                           %(day)s + interval '3 hours' AS write_date
                      FROM demo_order o WHERE %(id)s IS NOT NULL ORDER BY o.seq
                    """,
                    id=SQL("o.apr_ref_id" if refund else "o.apr_pay_id"),
                    credit=SQL("o.ref_recv_aml" if refund else "o.pay_cp_aml"),
                    day=SQL("o.refund_date" if refund else "o.payment_date"),
                    amount=SQL("o.ref_total" if refund else "o.pay_amount"),
                    **params,
                ),
            )

    def finish(self):
        """Customer ranks as confirmations and postings raise them.

        The tables filled were analyzed before the foreign key check
        (:meth:`BulkLoader.analyze_filled_tables`); the rank update changes
        ``res_partner`` again.
        """
        if not self.bulk_partners:  # bulk partners got their rank at creation
            self.execute(
                SQL(
                    """
                    UPDATE res_partner p SET customer_rank = p.customer_rank + c.n
                      FROM (SELECT partner_id, count(*) + count(inv_id) AS n
                              FROM demo_order WHERE state = 'sale'
                             GROUP BY partner_id) AS c
                     WHERE p.id = c.partner_id
                    """
                )
            )
        for table in (
            "demo_order", "demo_line", "demo_tax_line", "demo_product", "demo_tax",
            "demo_tax_tag", "demo_quant",
        ):  # fmt: skip
            self.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(table)))
        if not self.bulk_partners:
            self.execute(SQL("ANALYZE res_partner"))
