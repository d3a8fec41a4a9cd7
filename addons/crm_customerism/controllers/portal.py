import re

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools import plaintext2html

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

MAX_PORTAL_TEXT = 20000
MAX_SUBJECT = 200
MAX_PORTAL_ORDERS = 100
MAX_PORTAL_FILES = 5
MAX_PORTAL_FILE_SIZE = 10 * 1024 * 1024
PAGE_SIZE = 20
# control characters other than tab and line breaks: a NUL would cut the text
# short in the HTML conversion
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_text(value):
    """Text typed by the customer, without control characters."""
    return CONTROL_CHARS.sub("", value or "").strip()


class ComplaintPortal(CustomerPortal):
    """Customers file complaints and follow their own on the portal, and rate
    the handling after closure (also from the emailed link)."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "complaint_count" in counters:
            Complaint = request.env["crm.complaint"]
            values["complaint_count"] = (
                Complaint.search_count([]) if Complaint.has_access("read") else 0
            )
        return values

    @http.route(
        ["/my/complaints", "/my/complaints/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_complaints(self, page=1, **kw):
        Complaint = request.env["crm.complaint"]
        if not Complaint.has_access("read"):
            return request.redirect("/my")
        count = Complaint.search_count([])
        pager = portal_pager(
            url="/my/complaints", total=count, page=page, step=PAGE_SIZE
        )
        complaints = Complaint.search(
            [], order="id desc", limit=PAGE_SIZE, offset=pager["offset"]
        )
        values = self._prepare_portal_layout_values()
        values.update(
            complaints=complaints,
            pager=pager,
            page_name="complaint",
            default_url="/my/complaints",
        )
        return request.render("crm_customerism.portal_my_complaints", values)

    @http.route(
        "/my/complaints/<int:complaint_id>", type="http", auth="public", website=True
    )
    def portal_complaint_page(self, complaint_id, access_token=None, **kw):
        try:
            complaint = self._document_check_access(
                "crm.complaint", complaint_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            complaint,
            access_token,
            {"page_name": "complaint"},
            "my_complaints_history",
            False,
        )
        values.update(
            complaint=complaint,
            rating_token=self._complaint_rating_token(complaint),
        )
        return request.render("crm_customerism.portal_complaint_page", values)

    def _complaint_rating_token(self, complaint):
        """Pending rating token of the closed complaint for the visitor."""
        if complaint.stage != "closed":
            return False
        pending = complaint.rating_ids.filtered(lambda r: not r.consumed)
        return pending[:1].access_token or False

    def _complaint_categories(self):
        """Categories offered to the customer: the active ones of the company the
        complaint is filed in, or shared between companies."""
        # portal users cannot read the categories: only these are read
        return (
            request.env["crm.complaint.category"]
            .sudo()
            .search(
                [
                    ("active", "=", True),
                    ("company_id", "in", [request.env.user.company_id.id, False]),
                ]
            )
        )

    def _complaint_orders(self):
        """The customer's confirmed orders offered on the form: those Odoo's
        portal rules let the user read, in the company the complaint is filed
        in, most recent first."""
        SaleOrder = request.env["sale.order"]
        if not SaleOrder.has_access("read"):
            return SaleOrder
        return SaleOrder.search(
            [
                ("state", "=", "sale"),
                ("company_id", "=", request.env.user.company_id.id),
            ],
            order="date_order desc, id desc",
            limit=MAX_PORTAL_ORDERS,
        )

    def _complaint_products(self, orders):
        """The products of the offered orders."""
        # sudo: the lines of orders the customer may read (checked above)
        return orders.sudo().order_line.product_id

    def _complaint_form_values(self, error=None, post=None):
        values = self._prepare_portal_layout_values()
        orders = self._complaint_orders()
        values.update(
            page_name="complaint_new",
            categories=self._complaint_categories(),
            orders=orders,
            products=self._complaint_products(orders),
            attachment_hint=request.env._(
                "At most %(count)s files of %(size)s MB each.",
                count=MAX_PORTAL_FILES,
                size=MAX_PORTAL_FILE_SIZE // (1024 * 1024),
            ),
            error=error or {},
            post=post or {},
        )
        return values

    @staticmethod
    def _chosen(records, value):
        """The record of ``records`` whose id was posted as ``value``."""
        value = (value or "").strip()
        return records.filtered(lambda rec: str(rec.id) == value)

    def _complaint_files(self, error):
        """(name, content) of the files sent with the form, within the limits."""
        files = [
            file
            for file in request.httprequest.files.getlist("attachments")
            if file.filename
        ]
        if len(files) > MAX_PORTAL_FILES:
            error["attachments"] = request.env._(
                "Attach at most %(count)s files.", count=MAX_PORTAL_FILES
            )
            return []
        contents = []
        for file in files:
            content = file.read(MAX_PORTAL_FILE_SIZE + 1)
            if len(content) > MAX_PORTAL_FILE_SIZE:
                error["attachments"] = request.env._(
                    "%(name)s is too large: %(size)s MB at most per file.",
                    name=file.filename,
                    size=MAX_PORTAL_FILE_SIZE // (1024 * 1024),
                )
                return []
            contents.append((file.filename, content))
        return contents

    @http.route(
        "/my/complaints/new",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_complaint_new(self, **post):
        if request.httprequest.method == "GET":
            return request.render(
                "crm_customerism.portal_complaint_new", self._complaint_form_values()
            )
        subject = _clean_text(post.get("subject"))
        description = _clean_text(post.get("description"))
        error = {}
        if not subject:
            error["subject"] = request.env._("Give a subject.")
        elif len(subject) > MAX_SUBJECT:
            error["subject"] = request.env._(
                "The subject is too long (%(max)s characters at most).", max=MAX_SUBJECT
            )
        if not description:
            error["description"] = request.env._("Describe what happened.")
        if len(description) > MAX_PORTAL_TEXT:
            error["description"] = request.env._(
                "The description is too long (%(max)s characters at most): attach "
                "documents to the complaint afterwards.",
                max=MAX_PORTAL_TEXT,
            )
        # only what the form offered is accepted: the customer's own categories,
        # orders and products
        category = self._chosen(self._complaint_categories(), post.get("category_id"))
        if post.get("category_id") and not category:
            error["category_id"] = request.env._("Choose a category from the list.")
        orders = self._complaint_orders()
        order = self._chosen(orders, post.get("sale_order_id"))
        if post.get("sale_order_id") and not order:
            error["sale_order_id"] = request.env._("Choose one of your orders.")
        products = self._complaint_products(order or orders)
        product = self._chosen(products, post.get("product_id"))
        if post.get("product_id") and not product:
            error["product_id"] = (
                request.env._(
                    "This product is not on order %(order)s.", order=order.name
                )
                if order
                else request.env._("Choose a product you ordered.")
            )
        files = self._complaint_files(error)
        if error:
            # the form comes back with what was typed, cut to what it accepts
            post = dict(post, subject=subject[:MAX_SUBJECT])
            post["description"] = description[:MAX_PORTAL_TEXT]
            post.pop("attachments", None)
            return request.render(
                "crm_customerism.portal_complaint_new",
                self._complaint_form_values(error=error, post=post),
            )
        user = request.env.user
        # the portal user has no create right: the complaint is created in their
        # name, for their own partner only, with the links checked above
        complaint = (
            request.env["crm.complaint"]
            .sudo()
            .with_company(user.company_id)
            .create(
                {
                    "subject": subject,
                    "description": plaintext2html(description),
                    "partner_id": user.partner_id.id,
                    "channel": "portal",
                    "category_id": category.id or False,
                    "sale_order_id": order.id or False,
                    "product_id": product.id or False,
                    "company_id": user.company_id.id,
                }
            )
        )
        complaint._post_portal_filing_note(user.partner_id, attachments=files)
        return request.redirect(f"/my/complaints/{complaint.id}")

    # ------------------------------------------------------------------
    # Satisfaction rating (1-5, with a comment)
    # ------------------------------------------------------------------

    def _complaint_rating(self, token):
        # sudo: the token is the proof; only a complaint's rating is found
        rating = (
            request.env["rating.rating"]
            .sudo()
            .search(
                [("access_token", "=", token), ("res_model", "=", "crm.complaint")],
                limit=1,
            )
        )
        return rating

    @http.route(
        "/complaint/rate/<string:token>",
        type="http",
        auth="public",
        website=True,
        methods=["GET", "POST"],
    )
    def complaint_rate(self, token, score=None, comment=None, **kw):
        rating = self._complaint_rating(token)
        values = {"token": token, "rating": rating, "error": False, "done": False}
        if not rating:
            values["error"] = request.env._(
                "This satisfaction link is not valid. Check that you copied it whole."
            )
            return request.render("crm_customerism.portal_complaint_rating", values)
        # sudo: the complaint of the rating the token found
        complaint = request.env["crm.complaint"].sudo().browse(rating.res_id)
        values["complaint"] = complaint
        if rating.consumed:
            values["done"] = True
            values["error"] = request.env._(
                "This satisfaction link was already used: thank you, your rating is "
                "recorded."
            )
            return request.render("crm_customerism.portal_complaint_rating", values)
        values["score"] = score
        if request.httprequest.method != "POST":
            return request.render("crm_customerism.portal_complaint_rating", values)
        try:
            value = int(score)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            values["error"] = request.env._("Choose a score from 1 to 5.")
            return request.render("crm_customerism.portal_complaint_rating", values)
        comment = (comment or "").strip()[:MAX_PORTAL_TEXT]
        try:
            # the token proves the visitor is the rated customer
            complaint.rating_apply(value, token=token, feedback=comment)
        except UserError as exc:
            values["error"] = exc.args[0]
            return request.render("crm_customerism.portal_complaint_rating", values)
        values["done"] = True
        return request.render("crm_customerism.portal_complaint_rating", values)
