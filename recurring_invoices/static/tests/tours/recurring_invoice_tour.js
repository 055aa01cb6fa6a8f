/** Recurring invoices in the web client: add one from the invoice list, preview, generate, issue from the chatter's activity. */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("recurring_invoices_tour", {
    url: "/odoo/action-account.action_move_out_invoice_type",
    steps: () => [
        {
            content: "Add a recurring invoice from the customer invoice list",
            trigger: "button[name=action_new_recurring_invoice]",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour hosting",
        },
        {
            content: "Find the customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Invoice Customer",
        },
        {
            content: "Pick the customer",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Invoice Customer)",
            run: "click",
        },
        {
            content: "Add a line",
            trigger: ".o_field_widget[name=line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Describe it with a placeholder",
            trigger: ".o_field_widget[name=line_ids] .o_data_row .o_field_widget[name=name] textarea",
            run: "edit Hosting {month}",
        },
        {
            content: "Price it",
            trigger: ".o_field_widget[name=line_ids] .o_data_row .o_field_widget[name=price_unit] input",
            run: "edit 150",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved, the totals are Odoo's",
            trigger: ".o_form_saved .o_field_widget[name=tax_totals]:contains(150)",
        },
        {
            content: "Preview the next invoice",
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
        {
            content: "Odoo's send window (or its layout step) opens",
            trigger: ".modal .modal-content:contains(Send), .modal .modal-content:contains(layout), .modal .modal-content:contains(Layout)",
        },
    ],
});
