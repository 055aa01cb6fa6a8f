"""Recurring revenue at a glance (V14): what each template is worth per month and per year, summed per customer,
salesperson and product, and the forecast graph of the next twelve months, revenue and costs apart.

Every figure is computed by hand: the untaxed amount of one invoice times the dates a year of its rule (365 days,
52 weeks, 12 months, 1 year, over the interval), over 12, at the rate of the day.
"""

import importlib.util
from pathlib import Path

from dateutil.rrule import MONTHLY, rrule
from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user
from odoo.tools import format_date
from odoo.tools.safe_eval import safe_eval

from .test_recurring_invoice import RecurringInvoiceCase, d


class RecurringRevenueCase(RecurringInvoiceCase):
    @classmethod
    def _priced(cls, price, **vals):
        """A template of one line without product or tax: its untaxed amount is `price`."""
        lines = [Command.create({"name": "Service", "quantity": 1, "price_unit": price, "tax_ids": [Command.clear()]})]
        return cls._template(line_ids=lines, **vals)

    @classmethod
    def _bill(cls, price, **vals):
        """A recurring vendor bill of one untaxed line of `price`: a recurring cost."""
        journal = cls.company_data["default_journal_purchase"]
        return cls._priced(price, move_type="in_invoice", journal_id=journal.id, **vals)


@freeze_time("2026-03-15")
class TestRecurringRevenueFigures(RecurringRevenueCase):
    def assertFigures(self, template, monthly, yearly):
        self.assertEqual(
            (template.recurring_monthly, template.recurring_yearly), (monthly, yearly), template.rrule_summary
        )

    def test_each_rule_kind_normalised_to_one_month(self):
        weekly = {"rrule_type": "weekly", "mon": True}
        cases = [
            ({}, 100.0, 100.0, 1200.0),  # monthly
            ({"interval": 3, "day": 31}, 300.0, 100.0, 1200.0),  # quarterly, on the last day
            ({"rrule_type": "yearly", "month": "4"}, 1200.0, 100.0, 1200.0),
            ({"rrule_type": "yearly", "month": "4"}, 1000.0, 83.33, 1000.0),
            ({**weekly}, 10.0, 43.33, 520.0),  # 10 x 52 / 12
            ({**weekly, "interval": 2}, 10.0, 21.67, 260.0),  # every 2 weeks
            ({**weekly, "thu": True}, 10.0, 86.67, 1040.0),  # Mondays and Thursdays
            ({"rrule_type": "daily"}, 1.0, 30.42, 365.0),  # 365 / 12
            ({"rrule_type": "daily", "interval": 5}, 5.0, 30.42, 365.0),
            ({"month_by": "day", "byday": "1", "weekday": "TUE"}, 50.0, 50.0, 600.0),  # first Tuesday
            ({"month_by": "day", "byday": "-1", "weekday": "FRI", "interval": 6}, 600.0, 100.0, 1200.0),
        ]
        for rule, price, monthly, yearly in cases:
            with self.subTest(rule=rule, price=price):
                self.assertFigures(self._priced(price, **rule), monthly, yearly)

    def test_untaxed_amount_counts_with_discount_and_quantity(self):
        # 2 x 100 at 10% off, tax excluded: 180 a quarter, 60 a month.
        line = {"name": "Support", "quantity": 2, "price_unit": 100.0, "discount": 10, "tax_ids": []}
        line["tax_ids"] = [Command.set(self.tax_sale_a.ids)]
        template = self._template(interval=3, line_ids=[Command.create(line)])
        self.assertEqual(template.amount_untaxed, 180.0)
        self.assertFigures(template, 60.0, 720.0)

    def test_figures_follow_the_rule_and_the_lines(self):
        template = self._priced(100.0)
        template.interval = 2
        self.assertFigures(template, 50.0, 600.0)
        template.line_ids.price_unit = 300.0
        self.assertFigures(template, 150.0, 1800.0)
        template.write({"rrule_type": "yearly", "interval": 1, "month": "6"})
        self.assertFigures(template, 25.0, 300.0)

    def test_paused_archived_and_ended_templates_count_zero(self):
        paused, archived, ended_rule = self._priced(100.0), self._priced(100.0), self._priced(100.0)
        paused.action_pause()
        self.assertFigures(paused, 0.0, 0.0)
        paused.action_resume()
        self.assertFigures(paused, 100.0, 1200.0)
        archived.action_archive()
        self.assertFigures(archived, 0.0, 0.0)
        # A rule whose end has passed counts nothing, even with its last dates still to invoice.
        ended_rule.write({"end_type": "end_date", "until": d("2026-02-01")})
        self.assertEqual(ended_rule.state, "running")
        self.assertFigures(ended_rule, 0.0, 0.0)
        # Once the scheduled action has invoiced every date, it is ended.
        done = self._priced(100.0, date_start=d("2026-03-15"), day=15, end_type="count", count=1)
        self.assertFigures(done, 100.0, 1200.0)
        self._cron()
        self.assertEqual(done.state, "ended")
        self.assertFigures(done, 0.0, 0.0)

    def test_bad_input_gives_zero_never_an_error(self):
        zero = self._priced(0.0)
        self.assertFigures(zero, 0.0, 0.0)
        # Without lines (allowed once archived) and with an invalid rule written in SQL: zero, and the list opens.
        empty = self._priced(100.0)
        empty.action_archive()
        empty.line_ids.unlink()
        self.assertFigures(empty, 0.0, 0.0)
        broken = self._priced(100.0)
        self.env.cr.execute("UPDATE recurring_invoice SET interval = 0 WHERE id = %s", [broken.id])
        broken.invalidate_recordset(["interval"])
        self.env.add_to_compute(self.Template._fields["recurring_monthly"], broken)
        self.assertFigures(broken, 0.0, 0.0)
        records = self.Template.with_context(active_test=False).web_search_read(
            [("id", "in", (zero | empty | broken).ids)],
            {"recurring_monthly": {}, "recurring_yearly": {}, "recurring_revenue_note": {}},
        )
        self.assertEqual(records["length"], 3)


class TestRecurringRevenueCurrencies(RecurringRevenueCase):
    def test_other_currency_at_todays_rate_refreshed_daily(self):
        # 1 company currency = 2 EUR until June, then 4 EUR.
        eur = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0), ("2026-06-01", 4.0)])
        with freeze_time("2026-03-15"):
            template = self._priced(300.0, currency_id=eur.id, interval=3)
            # 300 EUR a quarter: 100 EUR a month, 50 in the company's currency.
            self.assertEqual((template.recurring_monthly, template.recurring_yearly), (50.0, 600.0))
            self.assertFalse(template.recurring_revenue_note)
            rows = self.env["recurring.invoice.forecast"].search([("recurring_invoice_id", "=", template.id)])
            self.assertEqual(set(rows.mapped("amount_untaxed")), {300.0})
            self.assertEqual(set(rows.mapped("amount_untaxed_company")), {150.0})
        with freeze_time("2026-06-02"):
            self.assertEqual(template.recurring_monthly, 50.0, "stored: yesterday's rate until the daily run")
            self._cron()
            self.assertEqual((template.recurring_monthly, template.recurring_yearly), (25.0, 300.0))

    def test_currency_without_rate_counts_at_one_with_a_note(self):
        no_rate = self.env["res.currency"].create({"name": "XRV", "symbol": "X", "rounding": 0.01})
        with freeze_time("2026-03-15"):
            template = self._priced(100.0, currency_id=no_rate.id)
            self.assertEqual(template.recurring_monthly, 100.0)
            self.assertIn("XRV has no exchange rate", template.recurring_revenue_note)
            self.assertIn("1 XRV = 1 USD", template.recurring_revenue_note)
            self.assertFalse(self._priced(100.0).recurring_revenue_note, "the company's own currency needs no rate")


@freeze_time("2026-03-15")
class TestRecurringRevenueSums(RecurringRevenueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = new_test_user(cls.env, login="rrev_sales", groups="account.group_account_invoice")
        cls.customer = cls.env["res.partner"].create({"name": "Revenue Customer", "is_company": True})
        cls.contact = cls.env["res.partner"].create({"name": "Revenue Contact", "parent_id": cls.customer.id})

    def _with_product(self, product, price, **vals):
        line = {"product_id": product.id, "name": "Service", "quantity": 1, "price_unit": price}
        return self._template(line_ids=[Command.create(line)], **vals)

    def test_sums_per_customer_salesperson_and_product_revenue_and_costs_apart(self):
        ours = self._with_product(self.product_a, 100.0, partner_id=self.customer.id)
        ours |= self._with_product(self.product_b, 300.0, partner_id=self.contact.id, interval=3)
        ours |= self._with_product(self.product_a, 1200.0, user_id=self.salesperson.id, rrule_type="yearly", month="5")
        bill = self._bill(500.0, partner_id=self.customer.id)
        invoices = [("id", "in", (ours | bill).ids), ("move_type", "=", "out_invoice")]
        # Saved, as at the end of the request that saved them (grouping by a many2many reads its table).
        self.env.flush_all()
        # The list's footer (the invoices' list) and its groups, as the web client reads them.
        self.assertEqual(
            self.Template._read_group(invoices, [], ["recurring_monthly:sum", "recurring_yearly:sum"]),
            [(300.0, 3600.0)],
        )
        by_partner = dict(self.Template._read_group(invoices, ["partner_id"], ["recurring_monthly:sum"]))
        self.assertEqual(by_partner, {self.customer: 100.0, self.contact: 100.0, self.partner_a: 100.0})
        by_user = dict(self.Template._read_group(invoices, ["user_id"], ["recurring_monthly:sum"]))
        self.assertEqual(by_user, {self.env.user: 200.0, self.salesperson: 100.0})
        by_product = dict(self.Template._read_group(invoices, ["product_ids"], ["recurring_monthly:sum"]))
        self.assertEqual(by_product, {self.product_a: 200.0, self.product_b: 100.0})
        # The bills' list sums costs alone.
        bills = [("id", "in", (ours | bill).ids), ("move_type", "=", "in_invoice")]
        self.assertEqual(
            self.Template._read_group(bills, [], ["cost_monthly:sum", "recurring_monthly:sum"]), [(500.0, 0.0)]
        )

    def test_customer_smart_button_shows_its_monthly_revenue(self):
        self._priced(100.0, partner_id=self.customer.id)
        self._priced(300.0, partner_id=self.contact.id, interval=3)  # a contact counts for its company
        self._priced(999.0, partner_id=self.customer.id).action_pause()
        self._bill(500.0, partner_id=self.customer.id)
        self.assertEqual((self.customer.recurring_monthly, self.customer.recurring_invoice_count), (200.0, 3))
        self.assertEqual((self.contact.recurring_monthly, self.contact.recurring_invoice_count), (100.0, 1))
        self.assertEqual(self.partner_b.recurring_invoice_count, 0)
        action = self.customer.action_open_recurring_invoices()
        found = self.Template.search(action["domain"])
        self.assertEqual(len(found), 3)
        self.assertEqual(set(found.mapped("move_type")), {"out_invoice"})


class TestRecurringRevenueGraph(RecurringRevenueCase):
    def test_recurring_revenue_opens_on_a_graph_of_revenue(self):
        action = self.env.ref("recurring_invoices.action_recurring_revenue")
        self.assertEqual(action.view_mode.split(","), ["graph", "pivot", "list", "calendar"])
        menu = self.env.ref("recurring_invoices.menu_recurring_revenue")
        self.assertEqual(menu.parent_id, self.env.ref("account.account_reports_management_menu"))
        with freeze_time("2026-03-15"):
            invoice = self._priced(100.0, date_start=d("2026-04-01"))
            bill = self._bill(70.0, date_start=d("2026-04-01"))
            Forecast = self.env["recurring.invoice.forecast"]
            ours = [("recurring_invoice_id", "in", (invoice | bill).ids)]
            # The graph: a bar a month, twelve months from the next date, revenue alone.
            months = Forecast._read_group(
                [*safe_eval(action.domain), *ours],
                ["date:month"],
                ["amount_untaxed_company:sum", "amount_total_company:sum"],
            )
            self.assertEqual(len(months), 12)
            self.assertEqual({untaxed for _month, untaxed, _total in months}, {100.0})
            # The costs are the bill forecast's, never in the revenue's bars.
            bill_action = self.env.ref("recurring_invoices.action_recurring_bill_forecast")
            self.assertEqual(bill_action.view_mode.split(",")[0], "graph")
            costs = Forecast.search([("move_type", "=", "in_invoice"), *ours])
            self.assertEqual(set(costs.mapped("amount_untaxed_company")), {70.0})

    def test_who_only_reads_invoices_sees_no_recurring_revenue(self):
        auditor = new_test_user(self.env, login="rrev_auditor", groups="account.group_account_readonly")
        billing = new_test_user(self.env, login="rrev_billing", groups="account.group_account_invoice")
        menu = self.env.ref("recurring_invoices.menu_recurring_revenue")
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(auditor)._visible_menu_ids())
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(billing)._visible_menu_ids())
        with self.assertRaises(AccessError):
            self.env["recurring.invoice.forecast"].with_user(auditor).search([])
        partner = self.env["res.partner"].with_user(auditor).browse(self.partner_a.id)
        self.assertNotIn("recurring_monthly", partner.fields_get())


@freeze_time("2026-03-15")
class TestBillsAreCosts(RecurringRevenueCase):
    """A bill is a cost (issue 27): never in a revenue figure, sum, graph or button, whatever mixes the two types."""

    def test_a_bill_has_costs_and_no_revenue_an_invoice_the_reverse(self):
        bill, invoice = self._bill(1680.0), self._priced(300.0, interval=3)
        self.assertEqual((bill.recurring_monthly, bill.recurring_yearly), (0.0, 0.0))
        self.assertEqual((bill.cost_monthly, bill.cost_yearly), (1680.0, 20160.0))
        self.assertEqual((invoice.recurring_monthly, invoice.recurring_yearly), (100.0, 1200.0))
        self.assertEqual((invoice.cost_monthly, invoice.cost_yearly), (0.0, 0.0))
        # Paused, a cost counts zero too.
        bill.action_pause()
        self.assertEqual((bill.cost_monthly, bill.cost_yearly), (0.0, 0.0))

    def test_the_list_the_activity_menu_opens_sums_revenue_and_costs_apart(self):
        """The systray's "Recurring Invoice" group opens recurring.invoice, both types mixed, on the default list."""
        rent = self._bill(1680.0)
        hosting, support = self._priced(100.0), self._priced(50.0)
        self.env.flush_all()
        mixed = [("id", "in", (rent | hosting | support).ids)]
        sums = self.Template._read_group(mixed, [], ["recurring_monthly:sum", "cost_monthly:sum"])
        self.assertEqual(sums, [(150.0, 1680.0)], "the rent is a cost, never revenue")
        # The list's columns: revenue columns sum revenue fields, cost columns cost fields, and both are shown
        # when the context names no type (as the activity menu opens it).
        arch = self.Template.get_views([(False, "list")])["views"]["list"]["arch"]
        for field, label in [
            ("recurring_monthly", "Monthly Recurring Revenue"),
            ("recurring_yearly", "Yearly Recurring Revenue"),
            ("cost_monthly", "Monthly Recurring Cost"),
            ("cost_yearly", "Yearly Recurring Cost"),
        ]:
            self.assertIn(f'name="{field}" sum="{label}"', arch)
        # Without a type in the context, the only sums shown are those of one side: no amount summed across both.
        for context, expected in [
            ({}, {"recurring_monthly", "recurring_yearly", "cost_monthly", "cost_yearly"}),
            (
                {"default_move_type": "out_invoice"},
                {"amount_untaxed", "amount_total", "recurring_monthly", "recurring_yearly"},
            ),
            ({"default_move_type": "in_invoice"}, {"amount_untaxed", "amount_total", "cost_monthly", "cost_yearly"}),
        ]:
            summed = {
                node.get("name")
                for node in etree.fromstring(arch).iter("field")
                if node.get("sum") and not safe_eval(node.get("column_invisible") or "False", {"context": context})
            }
            self.assertEqual(summed, expected, context)
        bill_arch = self.Template.get_views([(self.env.ref("recurring_invoices.recurring_bill_view_list").id, "list")])
        bill_list = etree.fromstring(bill_arch["views"]["list"]["arch"])
        revenue_columns = [node for node in bill_list.iter("field") if node.get("name", "").startswith("recurring_")]
        self.assertEqual({node.get("column_invisible") for node in revenue_columns}, {"1"}, "the bills' list: costs")
        self.assertEqual(self.Template._fields["recurring_monthly"].string, "Monthly Revenue")
        self.assertEqual(self.Template._fields["cost_monthly"].string, "Monthly Cost")
        # The customer's button counts its revenue alone.
        self.assertEqual(self.partner_a.recurring_monthly, 150.0)

    def test_the_forecast_shows_revenue_and_costs_apart(self):
        rent = self._bill(1680.0, date_start=d("2026-04-01"))
        hosting = self._priced(100.0, date_start=d("2026-04-01"))
        Forecast = self.env["recurring.invoice.forecast"]
        ours = [("recurring_invoice_id", "in", (rent | hosting).ids)]
        months = Forecast._read_group(ours, ["date:month"], ["revenue_untaxed:sum", "cost_untaxed:sum"])
        self.assertEqual(len(months), 12)
        self.assertEqual({(revenue, cost) for _month, revenue, cost in months}, {(100.0, 1680.0)})
        # Each action's graph and pivot measure their own side.
        for xmlid, measure in [
            ("recurring_invoices.action_recurring_revenue", "revenue_untaxed"),
            ("recurring_invoices.action_recurring_invoice_forecast", "revenue_untaxed"),
            ("recurring_invoices.action_recurring_bill_forecast", "cost_untaxed"),
        ]:
            context = safe_eval(self.env.ref(xmlid).context)
            self.assertEqual((context["graph_measure"], context["pivot_measures"]), (measure, [measure]), xmlid)

    def test_left_to_bill_until_an_end_within_a_year(self):
        # A monthly rent of 1,500 from January to April 2026: on 15 March one bill is left (April), whatever
        # the yearly figure says.
        rent = self._bill(1500.0, date_start=d("2026-01-01"), end_type="end_date", until=d("2026-04-01"))
        self._cron()  # January to March billed
        expected = [day.date() for day in rrule(MONTHLY, dtstart=d("2026-01-01"), until=d("2026-04-01"))]
        left = [day for day in expected if day > d("2026-03-15")]
        self.assertEqual(len(left), 1)
        self.assertEqual(rent.cost_yearly, 18000.0)
        self.assertEqual((rent.amount_left_to_bill, rent.left_to_bill_count), (1500.0 * len(left), 1))
        self.assertEqual(rent.left_to_bill_note, f"in 1 bill, until {format_date(self.env, d('2026-04-01'))}")
        # An open-ended rule, or one that ends beyond a year, shows nothing left to bill.
        self.assertEqual(self._priced(100.0).left_to_bill_count, 0)
        far = self._priced(100.0, end_type="end_date", until=d("2027-06-01"))
        self.assertEqual((far.amount_left_to_bill, far.left_to_bill_count), (0.0, 0))
        # Invoices: three left from April to June, 300 in all.
        soon = self._priced(100.0, date_start=d("2026-01-01"), end_type="end_date", until=d("2026-06-01"))
        self._cron()
        self.assertEqual((soon.amount_left_to_bill, soon.left_to_bill_count), (300.0, 3))
        self.assertIn("in 3 invoices, until", soon.left_to_bill_note)

    def test_upgrade_recomputes_the_bills_of_an_existing_database(self):
        """1.5.0's migration: a bill stored as revenue by the previous version reads zero revenue and its cost."""
        rent, hosting = self._bill(1680.0), self._priced(100.0)
        self.env.flush_all()
        # As the previous version stored them: a bill's figures in the revenue columns, no cost columns.
        self.env.cr.execute(
            "UPDATE recurring_invoice SET recurring_monthly = 1680, recurring_yearly = 20160, cost_monthly = 0, "
            "cost_yearly = 0 WHERE id = %s",
            [rent.id],
        )
        self.env.invalidate_all()
        script = Path(__file__).parents[1] / "recurring_invoices" / "migrations" / "1.5.0" / "post-migrate.py"
        spec = importlib.util.spec_from_file_location("recurring_invoices_post_migrate_150", script)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.4.0")
        self.env.invalidate_all()
        self.env.cr.execute(
            "SELECT id, recurring_monthly, recurring_yearly, cost_monthly, cost_yearly FROM recurring_invoice "
            "WHERE id IN %s ORDER BY id",
            [(rent.id, hosting.id)],
        )
        self.assertEqual(
            self.env.cr.fetchall(),
            [(rent.id, 0.0, 0.0, 1680.0, 20160.0), (hosting.id, 100.0, 1200.0, 0.0, 0.0)],
        )
