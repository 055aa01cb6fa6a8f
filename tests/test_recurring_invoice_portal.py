"""The customer's side (issue 26, C1, C3, S5): the portal pages of a customer's recurring invoices.

What each visitor gets over HTTP from a real server: the owner their commercial partner's customer templates,
another customer nothing (not even a name), an anonymous visitor the login page, a shared link the one
template; vendor bills never. Changes go through POST routes that check CSRF and ownership.
"""

import re
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class PortalCase(HttpCase):
    # Outside an addon package Odoo's MetaCase cannot guess these; pytest-odoo needs them.
    test_module = "recurring_invoices"
    test_tags = {"standard", "post_install", "-at_install"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz="UTC"))
        cls.env.company.partner_id.tz = "UTC"
        cls.Template = cls.env["recurring.invoice"]
        cls.customer = cls.env["res.partner"].create({"name": "Portal Customer Ltd", "is_company": True})
        cls.contact = cls.env["res.partner"].create({"name": "Pat Portal", "parent_id": cls.customer.id})
        cls.portal_user = new_test_user(
            cls.env, login="pat_portal", groups="base.group_portal", partner_id=cls.contact.id, password="pat_portal"
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Secret Rival Corp", "is_company": True})
        cls.other_user = new_test_user(
            cls.env,
            login="rival_portal",
            groups="base.group_portal",
            password="rival_portal",
            partner_id=cls.env["res.partner"].create({"name": "Rita Rival", "parent_id": cls.other_customer.id}).id,
        )
        cls.product = cls.env["product.product"].create({"name": "Cloud seat", "list_price": 40.0})
        today = fields.Date.context_today(cls.Template)
        cls.start = today - timedelta(days=today.day - 1)  # the 1st of this month
        cls.own = cls._template("Cloud seats for Portal Customer", cls.customer)
        cls.own_contact = cls._template("Support of Pat's desk", cls.contact)
        cls.rival = cls._template("Rival's secret plan", cls.other_customer)
        cls.bill = cls._template(
            "Rent paid to Portal Customer",
            cls.customer,
            move_type="in_invoice",
            journal_id=cls.env["account.journal"]
            .search([("type", "=", "purchase"), ("company_id", "=", cls.env.company.id)], limit=1)
            .id,
        )
        # The first invoice of the customer's template is issued: the page lists it.
        cls.own._issue_occurrences({cls.own: [cls.start]})
        cls.issued = cls.own.invoice_ids

    @classmethod
    def _template(cls, name, partner, **vals):
        return cls.Template.create(
            {
                "name": name,
                "partner_id": partner.id,
                "rrule_type": "monthly",
                "month_by": "date",
                "day": 1,
                "date_start": cls.start,
                "end_type": "forever",
                "line_ids": [
                    Command.create(
                        {"product_id": cls.product.id, "name": f"{name} line", "quantity": 3, "price_unit": 40.0}
                    )
                ],
                **vals,
            }
        )

    def _get(self, url):
        response = self.url_open(url, allow_redirects=True)
        return response, response.text

    def _csrf(self, page):
        return CSRF.search(page).group(1)


class TestPortalPages(PortalCase):
    def test_the_owner_lists_their_commercial_partners_customer_templates(self):
        self.authenticate("pat_portal", "pat_portal")
        response, page = self._get("/my/recurring_invoices")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Cloud seats for Portal Customer", page)
        self.assertIn("Support of Pat&#39;s desk", page.replace("'", "&#39;"))
        self.assertNotIn("Rival", page)
        self.assertNotIn("Rent paid to Portal Customer", page, "vendor bills are never shown")
        # /my counts them like Odoo's Invoices tile.
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["recurring_invoice_count"]})
        self.assertEqual(counters["recurring_invoice_count"], 2)
        response, home = self._get("/my")
        self.assertIn("/my/recurring_invoices", home)

    def test_the_owner_sees_what_each_invoice_bills_and_the_invoices_issued(self):
        self.authenticate("pat_portal", "pat_portal")
        response, page = self._get(f"/my/recurring_invoices/{self.own.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Cloud seats for Portal Customer line", page)
        self.assertIn(self.own.rrule_summary, page)
        self.assertIn(self.issued.name, page)
        # Each issued invoice opens Odoo's own invoice page.
        self.assertIn(f"/my/invoices/{self.issued.id}", page)
        response, invoice_page = self._get(f"/my/invoices/{self.issued.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.issued.name, invoice_page)
        self.assertIn("Each invoice is paid from its own page", page)

    def test_another_customers_template_shows_nothing_of_it(self):
        self.authenticate("rival_portal", "rival_portal")
        response, page = self._get(f"/my/recurring_invoices/{self.own.id}")
        self.assertNotIn("Cloud seats", page)
        self.assertNotIn(f"/my/recurring_invoices/{self.own.id}", response.url)
        _response, listing = self._get("/my/recurring_invoices")
        self.assertIn("Rival&#39;s secret plan", listing.replace("'", "&#39;"))
        self.assertNotIn("Cloud seats", listing)

    def test_a_vendor_bill_is_never_shown_even_to_its_vendor(self):
        self.authenticate("pat_portal", "pat_portal")
        response, page = self._get(f"/my/recurring_invoices/{self.bill.id}")
        self.assertNotIn("Rent paid to Portal Customer", page)
        self.assertNotIn(f"/my/recurring_invoices/{self.bill.id}", response.url)

    def test_anonymous_visitors_go_to_the_login_page(self):
        response, _page = self._get("/my/recurring_invoices")
        self.assertIn("/web/login", response.url)
        response, page = self._get(f"/my/recurring_invoices/{self.own.id}")
        self.assertIn("/web/login", response.url)
        self.assertNotIn("Cloud seats", page)

    def test_a_shared_link_opens_the_one_template(self):
        url = self.own.get_portal_url()
        self.assertIn("access_token=", url)
        response, page = self._get(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Cloud seats for Portal Customer", page)
        self.assertNotIn('name="token_id"', page, "a link holder changes nothing")
        response, page = self._get(f"/my/recurring_invoices/{self.own.id}?access_token=wrong")
        self.assertNotIn("Cloud seats", page)

    def test_internal_users_without_billing_rights_see_nothing_new(self):
        new_test_user(self.env, login="plain_employee", groups="base.group_user", password="plain_employee")
        self.authenticate("plain_employee", "plain_employee")
        _response, page = self._get("/my/recurring_invoices")
        self.assertNotIn("Cloud seats", page)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["recurring_invoice_count"]})
        self.assertEqual(counters["recurring_invoice_count"], 0)


class TestPortalChanges(PortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Provider = cls.env["payment.provider"].sudo()
        cls.provider = Provider.search([("code", "=", "demo"), ("company_id", "=", cls.env.company.id)], limit=1)
        cls.provider.write({"state": "test", "allow_tokenization": True})
        cls.token = cls._token(cls.contact)
        cls.rival_token = cls._token(cls.other_customer)

    @classmethod
    def _token(cls, partner):
        return (
            cls.env["payment.token"]
            .sudo()
            .create(
                {
                    "provider_id": cls.provider.id,
                    "payment_method_id": cls.env.ref("payment_demo.payment_method_demo").id,
                    "partner_id": partner.id,
                    "payment_details": "4242",
                    "provider_ref": f"portal-{partner.id}",
                    "demo_simulated_state": "done",
                }
            )
        )

    def _post(self, url, data, with_csrf=True):
        _response, page = self._get(f"/my/recurring_invoices/{self.own.id}")
        if with_csrf:
            data = dict(data, csrf_token=self._csrf(page))
        return self.url_open(url, data=data, allow_redirects=True)

    def test_the_customer_chooses_changes_and_stops_automatic_payment(self):
        self.authenticate("pat_portal", "pat_portal")
        _response, page = self._get(f"/my/recurring_invoices/{self.own.id}")
        self.assertIn(f'value="{self.token.id}"', page, "their saved method is offered")
        self.assertNotIn(f'value="{self.rival_token.id}"', page)
        response = self._post(f"/my/recurring_invoices/{self.own.id}/payment_method", {"token_id": self.token.id})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.own.payment_token_id, self.token)
        self.assertIn("paid automatically", response.text)
        # Stopped: each invoice is paid by hand again.
        self._post(f"/my/recurring_invoices/{self.own.id}/payment_method", {"token_id": ""})
        self.own.invalidate_recordset()
        self.assertFalse(self.own.payment_token_id)

    def test_a_foreign_token_is_refused_with_a_sentence(self):
        self.authenticate("pat_portal", "pat_portal")
        response = self._post(f"/my/recurring_invoices/{self.own.id}/payment_method", {"token_id": self.rival_token.id})
        self.assertIn("not one of", response.text)
        self.own.invalidate_recordset()
        self.assertFalse(self.own.payment_token_id, "nothing saved")

    def test_another_customers_template_cannot_be_changed(self):
        self.authenticate("rival_portal", "rival_portal")
        response = self.url_open(
            f"/my/recurring_invoices/{self.own.id}/payment_method",
            data={
                "token_id": self.rival_token.id,
                "csrf_token": self._csrf(self._get(f"/my/recurring_invoices/{self.rival.id}")[1]),
            },
        )
        self.assertNotIn("Cloud seats", response.text)
        self.own.invalidate_recordset()
        self.assertFalse(self.own.payment_token_id)

    def test_a_post_without_csrf_token_is_refused(self):
        self.authenticate("pat_portal", "pat_portal")
        response = self._post(
            f"/my/recurring_invoices/{self.own.id}/payment_method", {"token_id": self.token.id}, with_csrf=False
        )
        self.assertEqual(response.status_code, 400)
        self.own.invalidate_recordset()
        self.assertFalse(self.own.payment_token_id)

    def test_stop_at_the_end_of_the_billed_period(self):
        self.authenticate("pat_portal", "pat_portal")
        # Off by default: no button, and the route refuses.
        _response, page = self._get(f"/my/recurring_invoices/{self.own.id}")
        self.assertNotIn("/stop", page)
        response = self._post(f"/my/recurring_invoices/{self.own.id}/stop", {})
        self.assertIn("cannot be stopped from here", response.text)
        self.own.invalidate_recordset()
        self.assertEqual(self.own.end_type, "forever")

        self.own.customer_can_stop = True
        issued_before = self.own.invoice_ids.read(["name", "amount_total", "state", "invoice_date"])
        response = self._post(f"/my/recurring_invoices/{self.own.id}/stop", {})
        self.assertIn("Stopped", response.text)
        self.own.invalidate_recordset()
        self.assertEqual((self.own.end_type, self.own.until), ("end_date", self.start))
        self.assertFalse(self.own.next_invoice_date, "nothing more is billed")
        self.assertEqual(self.own.state, "ended")
        self.assertEqual(self.own.invoice_ids.read(["name", "amount_total", "state", "invoice_date"]), issued_before)
        todo = self.env["mail.activity"].search(
            [
                ("res_model", "=", "recurring.invoice"),
                ("res_id", "=", self.own.id),
                ("summary", "=", "Stopped by the customer"),
            ]
        )
        self.assertEqual(todo.user_id, self.own.user_id)


class TestPortalTour(PortalCase):
    test_tags = {"standard", "post_install", "is_tour", "-at_install"}

    def test_the_customer_saves_a_card_and_pays_automatically(self):
        provider = (
            self.env["payment.provider"]
            .sudo()
            .search([("code", "=", "demo"), ("company_id", "=", self.env.company.id)], limit=1)
        )
        provider.write({"state": "test", "is_published": True, "allow_tokenization": True})
        template = self._template("Tour cloud storage", self.customer)
        self.start_tour("/my", "recurring_invoices_portal_tour", login="pat_portal")
        token = template.payment_token_id
        self.assertTrue(token, "the saved card pays the template")
        self.assertEqual(token.partner_id, self.contact, "saved through Odoo's payment form, as the customer")
        self.assertEqual(token.provider_id, provider)
        self.assertIn("4242", token.payment_details)
