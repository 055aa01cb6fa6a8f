/**
 * Recurring invoices and bills in the web client: add one from the invoice (bill) list, preview,
 * generate, issue from the chatter's activity.
 */
import { registry } from "@web/core/registry";

/** From the list's "Add a recurring ..." button to the template saved, previewed and its activities generated. */
function addTemplateSteps({ addButton, name, partner, description, price, total, extraSteps = [] }) {
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
            content: "Today's activity in the chatter reads Issue invoice",
            trigger: ".o-mail-Activity:contains(Today) .o-mail-Activity-issueInvoice",
            run: "click",
        },
        {
            content: "Issue it",
            trigger: ".o-mail-ActivityMarkAsDone-issueInvoice",
            run: "click",
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
        }),
        {
            content: "Odoo's send window (or its layout step) opens",
            trigger: ".modal .modal-content:contains(Send), .modal .modal-content:contains(layout), .modal .modal-content:contains(Layout)",
        },
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
    ],
});
