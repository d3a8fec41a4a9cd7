from odoo import api, models
from odoo.tools import SQL


class CrmCustomerismOrderedSelectionMixin(models.AbstractModel):
    """Stored selection fields (grade, lifecycle stage, service tier...) sorted
    and grouped in the order of their selection list, not alphabetically.

    Odoo orders a selection column by its stored key in SQL: the grades come
    out as major, ordinary, small, vip and the stages as at_risk, growth,
    lapsed... The group_expand of a selection field only reorders lazy
    one-level read_group results (kanban columns, top list groups); pivot and
    graph (lazy=False), sub-groups and _read_group keep the key order. Here
    both the ORDER BY of read_group and the sort of search use the position
    of the key in the selection list instead."""

    _name = "crm.customerism.ordered.selection.mixin"
    _description = "Selection Fields in Selection Order"

    @api.model
    def _selection_position_sql(self, fname, sql_expr):
        """SQL of the position of ``sql_expr`` (the value of ``fname``) in
        the field's selection list, or None when ``fname`` is not a stored
        selection field with a static list."""
        field = self._fields.get(fname)
        if (
            not field
            or field.type != "selection"
            or not field.store
            or not isinstance(field.selection, list)
        ):
            return None
        keys = [key for key, __ in field.selection]
        return SQL("array_position(%s::text[], %s::text)", keys, sql_expr)

    def _read_group_orderby(self, order, groupby_terms, query):
        ranked = {}
        for spec, term in groupby_terms.items():
            position = None
            if ":" not in spec and "." not in spec:
                position = self._selection_position_sql(spec, term)
            ranked[spec] = position if position is not None else term
        return super()._read_group_orderby(order, ranked, query)

    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        field = self._fields.get(field_name)
        if not field or field.type != "selection":
            return super()._order_field_to_sql(
                alias, field_name, direction, nulls, query
            )
        sql_field = self._field_to_sql(alias, field_name, query)
        position = self._selection_position_sql(field_name, sql_field)
        if position is None:
            return super()._order_field_to_sql(
                alias, field_name, direction, nulls, query
            )
        if query.groupby:
            # as Odoo does for any field ordering the groups of a read_group
            query.groupby = SQL("%s, %s", query.groupby, sql_field)
        return SQL("%s %s %s", position, direction, nulls)
