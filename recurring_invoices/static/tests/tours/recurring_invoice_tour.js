/**
 * Recurring invoices and bills in the web client: add one from the invoice (bill) list, preview,
 * generate, issue from the chatter's activity.
 */
import { registry } from "@web/core/registry";

/** From the list's "Add a recurring ..." button to the template saved, previewed and its activities generated. */
function addTemplateSteps({
    addButton,
    name,
    partner,
    description,
    price,
    total,
    issueLabel,
    dateLabel,
    extraSteps = [],
}) {
    return [
        {
            content: "Add a recurring template from the list",
            trigger: `button[name=${addButton}]`,
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: `edit ${name}`,
        },
        {
            content: "Find the partner",
            trigger: ".o_field_widget[name=partner_id] input",
            run: `edit ${partner}`,
        },
        {
            content: "Pick the partner",
            trigger: `.o-autocomplete--dropdown-item a:contains(${partner})`,
            run: "click",
        },
        ...extraSteps,
        {
            content: "Add a line",
            trigger: ".o_field_widget[name=line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Describe it with a placeholder",
            trigger: ".o_field_widget[name=line_ids] .o_data_row .o_field_widget[name=name] textarea",
            run: `edit ${description}`,
        },
        {
            content: "Price it",
            trigger: ".o_field_widget[name=line_ids] .o_data_row .o_field_widget[name=price_unit] input",
            run: `edit ${price}`,
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved, the totals are Odoo's",
            trigger: `.o_form_saved .o_field_widget[name=tax_totals]:contains(${total})`,
        },
        {
            content: "Preview the next one",
            trigger: "button[name=action_preview]",
            run: "click",
        },
        {
            content: "Generate interactions",
            trigger: "button[name=action_generate_confirm]:contains(Generate interactions)",
            run: "click",
        },
        {
            content: "Confirm with OK",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "Once generated, the button offers a regeneration",
            trigger: "button[name=action_generate_confirm]:contains(Regenerate)",
        },
        {
            content: `The first activity in the chatter reads ${issueLabel}`,
            trigger: `.o-mail-Activity:first .o-mail-Activity-issueInvoice:contains(${issueLabel})`,
            run: "click",
        },
        {
            content: "Before anything is posted, the popover says what it bills",
            trigger: `.o-recurring-IssueInfo:contains(Period):contains(${dateLabel}):contains(Due date):contains(${total})`,
        },
        {
            content: "Issue it: on its date, one click",
            trigger: `.o-mail-ActivityMarkAsDone-issueInvoice:contains(${issueLabel})`,
            run: "click",
        },
    ];
}

/** Odoo's send window (or its layout step) opens; closed, the form shows `count` invoices. */
function sendWindowClosedSteps(count) {
    return [
        {
            content: "Odoo's send window (or its layout step) opens",
            trigger: ".modal .modal-content:contains(Send), .modal .modal-content:contains(layout), .modal .modal-content:contains(Layout)",
        },
        {
            content: "Close it without sending",
            trigger: ".modal .modal-header .btn-close",
            run: "click",
        },
        {
            content: `The form reloaded: ${count} invoice(s)`,
            trigger: `body:not(:has(.modal)) button[name=action_open_invoices] .o_stat_value:contains(${count})`,
        },
    ];
}

registry.category("web_tour.tours").add("recurring_invoices_tour", {
    url: "/odoo/action-account.action_move_out_invoice_type",
    steps: () => [
        ...addTemplateSteps({
            addButton: "action_new_recurring_invoice",
            name: "Tour hosting",
            partner: "Tour Invoice Customer",
            description: "Hosting {month}",
            price: 150,
            total: "150.00",
            issueLabel: "Issue invoice",
            dateLabel: "Invoice date",
        }),
        ...sendWindowClosedSteps(1),
        {
            content: "Issue the next one, a month ahead",
            trigger: "button[name=action_issue_invoice]:contains(Issue next invoice)",
            run: "click",
        },
        {
            content: "Ahead of its date, a window shows what it bills and how early",
            trigger: ".modal:contains(days early):contains(Due Date):contains(150.00)",
        },
        {
            content: "Confirm: issue it early",
            trigger: ".modal button[name=action_issue]:contains(Issue early)",
            run: "click",
        },
        ...sendWindowClosedSteps(2),
    ],
});

registry.category("web_tour.tours").add("recurring_bills_tour", {
    url: "/odoo/action-account.action_move_in_invoice_type",
    steps: () => [
        ...addTemplateSteps({
            addButton: "action_new_recurring_bill",
            name: "Tour office rent",
            partner: "Tour Landlord",
            description: "Office rent {month}",
            price: 1200,
            total: "1,200.00",
            issueLabel: "Issue bill",
            dateLabel: "Bill date",
            extraSteps: [
                {
                    content: "A vendor bill, with the vendor's reference",
                    trigger: ".o_field_widget[name=move_type] input[data-value=in_invoice]:checked",
                },
                {
                    content: "The vendor reference takes placeholders",
                    trigger: ".o_field_widget[name=ref] input",
                    run: "edit Rent {month}",
                },
            ],
        }),
        {
            content: "Posted: no send window, a notification says so",
            trigger: ".o_notification:contains(is posted)",
        },
        {
            content: "The form reloaded: one bill, and it reads as a bill",
            trigger: "button[name=action_open_invoices] .o_stat_value:contains(1)",
        },
        {
            content: "A bill's labels: vendor, purchase representative, Issue next bill",
            trigger: ".o_form_view:has(button[name=action_issue_invoice]:contains(Issue next bill)) .o_form_sheet:contains(Purchase Representative):contains(Vendor)",
        },
    ],
});

registry.category("web_tour.tours").add("recurring_revenue_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open Invoicing",
            trigger: ".o_app[data-menu-xmlid='account.menu_finance']",
            run: "click",
        },
        {
            content: "Open Invoicing > Reporting",
            trigger: "button[data-menu-xmlid='account.menu_finance_reports']",
            run: "click",
        },
        {
            content: "Open Recurring Revenue",
            trigger: "a[data-menu-xmlid='recurring_invoices.menu_recurring_revenue']",
            run: "click",
        },
        {
            content: "It opens on a graph of real figures, not a sample",
            trigger: ".o_graph_view:not(:has(.o_view_sample_data)) .o_graph_renderer canvas",
        },
        {
            content: "The list of the same months",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Twelve monthly invoices of 100.00 for the tour's customer: 1,200.00 in all",
            trigger: ".o_list_view:has(.o_data_row:contains(Tour Revenue Customer)) tfoot:contains(1,200.00)",
        },
    ],
});

/** My Activities' "Done" of an "Issue invoice" shows what it bills first: Cancel posts nothing, Issue posts it. */
registry.category("web_tour.tours").add("recurring_invoices_my_activities_done_tour", {
    url: "/odoo/action-mail.mail_activity_action_my",
    steps: () => [
        {
            content: "Press Done on the Issue invoice activity",
            trigger: ".o_data_row:contains(Tour Done Customer) button[name=action_done]",
            run: "click",
        },
        {
            content: "Before anything is posted, the window says what it bills",
            trigger: ".modal:contains(Period):contains(Invoice Date):contains(Due Date):contains(120.00)",
        },
        {
            content: "Cancel",
            trigger: ".modal .modal-footer button:contains(Cancel)",
            run: "click",
        },
        {
            content: "Nothing was posted: the activity is still there; press Done again",
            trigger: "body:not(:has(.modal)) .o_data_row:contains(Tour Done Customer) button[name=action_done]",
            run: "click",
        },
        {
            content: "Issue it",
            trigger: ".modal button[name=action_issue]:contains(Issue invoice)",
            run: "click",
        },
        {
            content: "Odoo's send window (or its layout step) opens",
            trigger: ".modal .modal-content:contains(Send), .modal .modal-content:contains(layout), .modal .modal-content:contains(Layout)",
        },
        {
            content: "Close it without sending",
            trigger: ".modal .modal-header .btn-close",
            run: "click",
        },
        {
            content: "The activity is done: gone from My Activities",
            trigger: "body:not(:has(.modal)) .o_list_view:not(:has(.o_data_row:contains(Tour Done Customer)))",
        },
    ],
});

/** What a person types on a new line after choosing its product is kept (the description, price, discount, taxes). */
registry.category("web_tour.tours").add("recurring_invoices_typed_line_tour", {
    url: "/odoo/action-account.action_move_out_invoice_type",
    steps: () => [
        {
            content: "Add a recurring invoice from the list",
            trigger: "button[name=action_new_recurring_invoice]",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour typed line",
        },
        {
            content: "Find the customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Typing Customer",
        },
        {
            content: "Pick the customer",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Typing Customer)",
            run: "click",
        },
        {
            content: "Add a line",
            trigger: ".o_field_widget[name=line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Find the product",
            trigger: ".o_field_widget[name=line_ids] .o_data_row .o_field_widget[name=product_id] input",
            run: "edit Tour Typing Product",
        },
        {
            content: "Pick the product",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Typing Product)",
            run: "click",
        },
        {
            content: "The product fills the description and its tax",
            trigger:
                ".o_data_row:has(.o_field_widget[name=tax_ids] .o_tag) .o_field_widget[name=name] textarea:value(Tour Typing Product)",
        },
        {
            content: "Type a description with placeholders, then Tab",
            trigger: ".o_data_row .o_field_widget[name=name] textarea",
            run: "edit Support {month}: {period_start} to {period_end} && press Tab",
        },
        {
            content: "Type a price, then Tab",
            trigger: ".o_data_row .o_field_widget[name=price_unit] input",
            run: "edit 42 && press Tab",
        },
        {
            content: "Type a discount, then Tab",
            trigger: ".o_data_row .o_field_widget[name=discount] input",
            run: "edit 10 && press Tab",
        },
        {
            content: "Remove the product's tax",
            trigger: ".o_data_row .o_field_widget[name=tax_ids] .o_tag .o_delete",
            run: "click",
        },
        {
            content: "After Tab, the description is still the one typed",
            trigger: ".o_data_row .o_field_widget[name=name] textarea:value(Support {month}: {period_start} to {period_end})",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: the typed description, and 42 at 10% off without tax (37.80)",
            trigger:
                ".o_form_saved .o_data_row:contains(Support {month}: {period_start} to {period_end}):contains(42.00):contains(37.80)",
        },
        {
            content: "No temporary id anywhere on the form",
            trigger: ".o_form_view:not(:contains(NewId))",
        },
    ],
});
