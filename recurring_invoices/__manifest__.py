{
    "name": "Recurring Invoices",
    "summary": "Invoice templates that plan, preview and create each invoice exactly once",
    "version": "1.4.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/recurring-work/odoo-recurring",
    "author": "Recurring Work",
    "license": "LGPL-3",
    "depends": ["account", "recurring_interactions"],
    "data": [
        "security/ir.model.access.csv",
        "security/recurring_invoices_security.xml",
        "data/mail_activity_type_data.xml",
        "data/ir_cron_data.xml",
        "views/recurring_invoice_views.xml",
        "views/recurring_invoice_issue_views.xml",
        "views/recurring_invoice_forecast_views.xml",
        "views/account_move_views.xml",
        "views/mail_activity_views.xml",
        "views/res_partner_views.xml",
        "views/recurring_invoices_menus.xml",
    ],
    "demo": ["demo/recurring_invoice_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "recurring_invoices/static/src/**/*",
        ],
        "web.assets_tests": [
            "recurring_invoices/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
