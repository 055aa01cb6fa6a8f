{
    "name": "Recurring Interactions",
    "summary": "Recurrence rules that plan follow-up activities on customers or any record",
    "version": "1.3.0",
    "category": "Productivity",
    "website": "https://github.com/recurring-work/odoo-recurring",
    "author": "Recurring Work",
    "license": "LGPL-3",
    "depends": ["mail", "resource"],
    "data": [
        "security/recurring_interactions_security.xml",
        "security/ir.model.access.csv",
        "data/mail_activity_type_data.xml",
        "data/ir_cron_data.xml",
        "data/ir_config_parameter_data.xml",
        "views/recurring_interaction_views.xml",
        "views/recurring_generate_confirm_views.xml",
        "views/mail_activity_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/recurring_interactions_menus.xml",
    ],
    "demo": ["demo/recurring_interaction_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "recurring_interactions/static/src/**/*",
        ],
        "web.assets_tests": [
            "recurring_interactions/static/tests/tours/*.js",
        ],
    },
    "application": True,
    "installable": True,
}
