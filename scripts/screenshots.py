"""Screenshots of the real web client for the README (a running `make demo` server).

Usage: python3 scripts/screenshots.py [--url http://localhost:8069] [--db recurring_demo] [--out docs]
Needs Playwright's Python package and Debian's Chromium (no browser download).
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def shoot(page, url, path, wait_for, click=None):
    page.goto(url)
    page.wait_for_selector(wait_for, timeout=30000)
    if click:
        page.click(click)
        page.wait_for_timeout(500)
    page.wait_for_timeout(800)
    page.screenshot(path=str(path))
    print("saved", path)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="recurring_demo")
    parser.add_argument("--out", default="docs")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{args.url}/web/login?db={args.db}")
        page.fill("input[name=login]", args.login)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit]")
        page.wait_for_selector(".o_main_navbar")
        base = f"{args.url}/odoo/action-recurring_interactions.action_recurring_interaction"
        shoot(page, base, out / "recurrences-list.png", ".o_list_view .o_data_row")
        page.click(".o_data_row:has-text('Weekly follow-up') td.o_data_cell")
        page.wait_for_selector(".o_form_view .o_field_widget[name=preview_html] li")
        page.wait_for_timeout(800)
        page.screenshot(path=str(out / "recurrence-form.png"))
        print("saved", out / "recurrence-form.png")
        page.click(".o_notebook_headers a:has-text('Interactions')")
        page.wait_for_selector(".o_field_widget[name=interaction_ids] .o_data_row")
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / "recurrence-interactions.png"))
        print("saved", out / "recurrence-interactions.png")
        # A customer's chatter: generated activities carry a "Recurrence" button.
        page.set_viewport_size({"width": 1920, "height": 1000})
        page.goto(base)
        page.click(".o_data_row:has-text('Re-contact the customer') td.o_data_cell")
        page.click("button[name=action_open_target]")
        page.wait_for_selector(".o-mail-Activity-recurrence", timeout=30000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(out / "customer-activity-recurrence.png"))
        print("saved", out / "customer-activity-recurrence.png")
        # Recurring invoices: a template, built like an invoice, and its preview.
        page.set_viewport_size({"width": 1400, "height": 1000})
        page.goto(f"{args.url}/odoo/action-recurring_invoices.action_recurring_invoice")
        page.wait_for_selector(".o_list_view .o_data_row")
        page.click(".o_data_row td.o_data_cell")
        page.wait_for_selector(".o_form_view .o_field_widget[name=line_ids] .o_data_row")
        page.wait_for_timeout(800)
        page.screenshot(path=str(out / "recurring-invoice-form.png"))
        print("saved", out / "recurring-invoice-form.png")
        page.goto(f"{args.url}/odoo/action-recurring_invoices.action_recurring_invoice_forecast")
        page.wait_for_selector(".o_content")
        page.wait_for_timeout(1500)
        page.screenshot(path=str(out / "recurring-invoice-forecast.png"))
        print("saved", out / "recurring-invoice-forecast.png")
        browser.close()


if __name__ == "__main__":
    main()
