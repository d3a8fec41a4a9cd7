from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

PAGE_SIZE = 20
MAX_QUERY = 200


class KnowledgePortal(CustomerPortal):
    """Published articles on the portal. Everything is read as the visitor:
    the record rules of crm.knowledge.article.revision show portal users only
    the live revision of public articles (never a pending edit)."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "knowledge_count" in counters:
            Revision = request.env["crm.knowledge.article.revision"]
            values["knowledge_count"] = (
                Revision.search_count([("is_live", "=", True)])
                if Revision.has_access("read")
                else 0
            )
        return values

    @http.route(
        ["/my/knowledge", "/my/knowledge/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_knowledge(self, page=1, search="", category=None, **kw):
        Revision = request.env["crm.knowledge.article.revision"]
        if not Revision.has_access("read"):
            return request.redirect("/my")
        search = (search or "")[:MAX_QUERY]
        domain = [("is_live", "=", True)]
        if search.strip():
            domain.append(("text_search", "ilike", search))
        categories = request.env["crm.knowledge.category"]
        for category_id, _count in Revision._read_group(
            [("is_live", "=", True)], ["category_id"], ["__count"]
        ):
            categories |= category_id
        current_category = request.env["crm.knowledge.category"]
        if str(category or "").isdigit():
            current_category = current_category.browse(int(category)).exists()
        if current_category:
            domain.append(("category_id", "child_of", current_category.id))
        count = Revision.search_count(domain)
        pager = portal_pager(
            url="/my/knowledge",
            url_args={"search": search, "category": category or ""},
            total=count,
            page=page,
            step=PAGE_SIZE,
        )
        revisions = Revision.search(
            domain, order="name", limit=PAGE_SIZE, offset=pager["offset"]
        )
        values = self._prepare_portal_layout_values()
        values.update(
            revisions=revisions,
            categories=categories.sorted("complete_name"),
            current_category=current_category,
            search=search,
            pager=pager,
            page_name="knowledge",
            default_url="/my/knowledge",
        )
        return request.render("crm_knowledge.portal_my_knowledge", values)

    @http.route(
        "/my/knowledge/<int:article_id>", type="http", auth="user", website=True
    )
    def portal_knowledge_article(self, article_id, **kw):
        Revision = request.env["crm.knowledge.article.revision"]
        if not Revision.has_access("read"):
            return request.redirect("/my")
        revision = Revision.search(
            [("article_id", "=", article_id), ("is_live", "=", True)], limit=1
        )
        if not revision:
            return request.redirect("/my/knowledge")
        values = self._prepare_portal_layout_values()
        values.update(revision=revision, page_name="knowledge")
        return request.render("crm_knowledge.portal_knowledge_article", values)
