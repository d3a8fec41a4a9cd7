"""What a knowledge reader gets of an article: its published text.

The article's own title, summary and body are the working copy, which an
editor may be changing while the published version stays live (see the
review workflow). Editors and reviewers read the working copy; a reader
(every internal user who is not an editor) is served the live revision's
values through every read path: read / search_read / web_read (hence
XML-RPC and the web client), export, the display name and name search,
search domains and the text search with its ranking, ordering, grouping and
the chatter's tracking of the title. Superuser code reads the working copy.
"""

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

GROUP_EDITOR = "crm_knowledge.group_crm_knowledge_user"

# article fields whose reader value is the live revision's field of that name
LIVE_TEXT_FIELDS = ("name", "summary", "body", "search_text")
# search-only fields answered on the live revision for readers
LIVE_SEARCH_FIELDS = (*LIVE_TEXT_FIELDS, "text_search")


class CrmKnowledgeArticle(models.Model):
    _inherit = "crm.knowledge.article"

    def _reads_working_copy(self, ignore_su=False):
        """True when the current user reads the working copy (superuser code,
        editors, reviewers); False for readers (the published text only).
        ``ignore_su``: decide by the user even in sudo mode (the display name,
        which Odoo reads as superuser to show a reader's messages)."""
        return (self.env.su and not ignore_su) or self.env.user.has_group(GROUP_EDITOR)

    def _live_domain(self, domain):
        """``domain`` with the conditions on the article's text moved to its
        live revision (what a reader searches)."""
        result = []
        for term in domain or []:
            if (
                isinstance(term, list | tuple)
                and len(term) == 3
                and isinstance(term[0], str)
                and term[0].split(".", 1)[0] in LIVE_SEARCH_FIELDS
            ):
                term = (f"live_revision_id.{term[0]}", term[1], term[2])
            result.append(term)
        return result

    def _live_revision_join(self, alias, query):
        """The alias of the live revision joined to the article ``alias``."""
        revision_alias = query.make_alias(alias, "live_revision_id")
        query.add_join(
            "LEFT JOIN",
            revision_alias,
            self.env["crm.knowledge.article.revision"]._table,
            SQL(
                "%s = %s",
                SQL.identifier(alias, "live_revision_id"),
                SQL.identifier(revision_alias, "id"),
            ),
        )
        return revision_alias

    def _rank_text_alias(self, query):
        """(alias, model) of the text a ranked search of ``query`` reads: the
        article's own, or its live revision's for a reader."""
        if self._reads_working_copy():
            return query.table, self
        return (
            self._live_revision_join(query.table, query),
            self.env["crm.knowledge.article.revision"],
        )

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------

    def _read_format(self, fnames, load="_classic_read"):
        # read, search_read and web_read (XML-RPC, the web client) format here
        result = super()._read_format(fnames, load=load)
        live_fnames = [name for name in fnames if name in LIVE_TEXT_FIELDS]
        if not live_fnames or self._reads_working_copy():
            return result
        articles = self.sudo()
        live = {
            values["id"]: values
            for values in articles.live_revision_id.read(live_fnames, load=load)
        }
        for values in result:
            revision = articles.browse(values["id"]).live_revision_id
            published = live.get(revision.id, {})
            for name in live_fnames:
                values[name] = published.get(name, False)
        return result

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        if not self._reads_working_copy():
            fields = [
                ["live_revision_id", *path] if path[0] in LIVE_TEXT_FIELDS else path
                for path in fields
            ]
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)

    @api.depends("live_revision_id.name")
    @api.depends_context("uid")
    def _compute_display_name(self):
        if self._reads_working_copy(ignore_su=True):
            return super()._compute_display_name()
        for article in self:
            article.display_name = article.sudo().live_revision_id.name or ""

    def _track_filter_for_display(self, tracking_values):
        # the chatter of a reader: no tracked change of the working copy's text
        tracking_values = super()._track_filter_for_display(tracking_values)
        if self._reads_working_copy():
            return tracking_values
        return tracking_values.filtered(
            lambda tracking: tracking.field_id.name not in LIVE_TEXT_FIELDS
        )

    # ------------------------------------------------------------------
    # Searching, ordering, grouping
    # ------------------------------------------------------------------

    def _search(self, domain, offset=0, limit=None, order=None):
        if not self._reads_working_copy():
            domain = self._live_domain(domain)
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def _search_display_name(self, operator, value):
        domain = super()._search_display_name(operator, value)
        if self._reads_working_copy():
            return domain
        return self._live_domain(domain)

    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        if field_name in LIVE_TEXT_FIELDS and not self._reads_working_copy():
            revision_alias = self._live_revision_join(alias, query)
            return SQL(
                "%s %s %s",
                SQL.identifier(revision_alias, field_name),
                direction,
                nulls,
            )
        return super()._order_field_to_sql(alias, field_name, direction, nulls, query)

    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        if not self._reads_working_copy():
            specs = [*groupby, *aggregates, *(term[0] for term in having or ())]
            for spec in specs:
                fname = spec.split(":", 1)[0].split(".", 1)[0]
                if fname in LIVE_TEXT_FIELDS:
                    raise AccessError(
                        self.env._(
                            "Knowledge readers cannot group or aggregate "
                            "articles by %(field)s.",
                            field=self._fields[fname]._description_string(self.env),
                        )
                    )
        return super()._read_group(
            domain,
            groupby=groupby,
            aggregates=aggregates,
            having=having,
            offset=offset,
            limit=limit,
            order=order,
        )
