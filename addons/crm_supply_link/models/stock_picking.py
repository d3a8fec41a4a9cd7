from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL


class StockPicking(models.Model):
    """Key-account priority (关键客户优先): the transfers of a sale order of a
    key account carry Odoo's priority, so that reservation serves them first;
    they follow when the customer becomes or stops being a key account."""

    _name = "stock.picking"
    _inherit = ["stock.picking", "crm.complaint.remedy.document.mixin"]

    supply_key_account_priority = fields.Boolean(
        string="Key Account Priority",
        readonly=True,
        copy=False,
        help="The priority was set because the customer is a key account; it is "
        "removed again when the customer stops being one. A priority set by hand "
        "is left alone.",
    )

    def button_validate(self):
        # a complaint's user asks for its return; a stock user validates it,
        # even where sales users may otherwise validate transfers
        self._customerism_check_remedy_validator(
            "stock.group_stock_user",
            self.env._(
                "Only inventory users may validate the return or replacement "
                "of a complaint."
            ),
        )
        return super().button_validate()

    @api.model_create_multi
    def create(self, vals_list):
        pickings = super().create(vals_list)
        for company in pickings.company_id:
            self._supply_sync_priority(
                company,
                picking_ids=pickings.filtered_domain(
                    [("company_id", "=", company.id)]
                ).ids,
            )
        return pickings

    @api.model
    def _supply_sync_priority(self, companies, partner_ids=None, picking_ids=None):
        """Set or remove the key-account priority of the open transfers of sale
        orders in ``companies``, optionally restricted to some commercial
        partners or transfers. One query finds what must change; two writes
        change it (Odoo then recomputes the moves' priority)."""
        self.env.flush_all()
        # the open states listed, not "NOT IN (done, cancel)": PostgreSQL then
        # finds the few open transfers through the index on state instead of
        # reading every transfer (the full customer recompute calls this)
        open_states = [
            state
            for state, __ in self._fields["state"]._description_selection(self.env)
            if state not in ("done", "cancel")
        ]
        to_set, to_unset = [], []
        for company in companies:
            filters = [SQL("TRUE")]
            if partner_ids is not None:
                filters.append(
                    SQL("customer.commercial_partner_id = ANY(%s)", list(partner_ids))
                )
            if picking_ids is not None:
                filters.append(SQL("p.id = ANY(%s)", list(picking_ids)))
            self.env.cr.execute(
                SQL(
                    """
SELECT p.id, %(key_account)s AS key_account, p.priority,
       p.supply_key_account_priority
  FROM stock_picking p
  JOIN sale_order so ON so.id = p.sale_id
  JOIN res_partner customer ON customer.id = so.partner_id
  LEFT JOIN crm_customer_profile profile
    ON profile.partner_id = customer.commercial_partner_id
   AND profile.company_id = p.company_id
 WHERE p.company_id = %(company)s
   AND p.state = ANY(%(open_states)s)
   AND %(filters)s
""",
                    key_account=company._supply_priority_condition(SQL("profile")),
                    company=company.id,
                    open_states=open_states,
                    filters=SQL(" AND ").join(filters),
                )
            )
            for picking_id, key_account, priority, ours in self.env.cr.fetchall():
                if key_account and priority == "0":
                    to_set.append(picking_id)
                elif not key_account and ours:
                    to_unset.append(picking_id)
        if to_set:
            self.browse(to_set).write(
                {"priority": "1", "supply_key_account_priority": True}
            )
        if to_unset:
            self.browse(to_unset).write(
                {"priority": "0", "supply_key_account_priority": False}
            )

    def _supply_reallocation_notification(self):
        if self:
            message = self.env._(
                "Reservations moved to key accounts on %(count)s transfers: %(names)s",
                count=len(self),
                names=", ".join(self.mapped("name")),
            )
        else:
            message = self.env._(
                "Nothing to reallocate: no key account waits for goods reserved "
                "by another customer."
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if self else "info",
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _supply_log_reallocation(self, changes):
        """Post on each picking what the reallocation moved: ``changes`` is a
        list of (picking, product, reserved before, reserved after, the
        pickings the quantity went to or came from)."""
        by_picking = defaultdict(list)
        for picking, product, before, after, others in changes:
            text = (
                self.env._(
                    "%(product)s: %(before)s reserved before, %(after)s after, "
                    "taken from %(others)s",
                    product=product.display_name,
                    before=before,
                    after=after,
                    others=", ".join(others.mapped("name")),
                )
                if after > before
                else self.env._(
                    "%(product)s: %(before)s reserved before, %(after)s after, "
                    "given to %(others)s",
                    product=product.display_name,
                    before=before,
                    after=after,
                    others=", ".join(others.mapped("name")),
                )
            )
            by_picking[picking].append(Markup("<li>%s</li>") % text)
        for picking, items in by_picking.items():
            picking.message_post(
                body=Markup("%s<ul>%s</ul>")
                % (self.env._("Reallocated to key accounts:"), Markup().join(items))
            )
