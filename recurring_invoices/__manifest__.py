{
    "name": "Recurring Invoices",
    "summary": "Invoice templates that plan, preview and create each invoice exactly once",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/recurring-work/odoo-recurring",
    "author": "Recurring Work",
    "license": "LGPL-3",
    "depends": ["account", "recurring_interactions"],
    "data": [],
    "installable": True,
}
