/**
 * The customer's side: from /my to their recurring invoice, save a demo card with Odoo's own payment form,
 * choose it for automatic payment and see it shown.
 */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("recurring_invoices_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open the recurring invoices from the portal home",
            trigger: ".o_portal_index_card:not(.d-none) a[href='/my/recurring_invoices']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the recurring invoice",
            trigger: "a:contains('Tour cloud storage')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "It is paid by hand so far",
            trigger: ".o_recurring_invoice_manual_payment",
        },
        {
            content: "Save a new payment method",
            trigger: "summary:contains('Save a new payment method')",
            run: "click",
        },
        {
            content: "Choose the demo provider (already chosen when it is the only one)",
            trigger: ".o_recurring_invoice_new_method input[name='o_payment_radio']",
            run() {
                const radio = document.querySelector(
                    ".o_recurring_invoice_new_method input[name='o_payment_radio'][data-payment-method-code='demo']"
                );
                if (radio && !radio.checked) {
                    radio.click();
                }
            },
        },
        {
            content: "Type a test card number",
            trigger: ".o_recurring_invoice_new_method input[name='customer_input']",
            run: "edit 4242424242424242",
        },
        {
            content: "Save it",
            trigger: ".o_recurring_invoice_new_method button[name='o_payment_submit_button']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back on the recurring invoice, choose the saved card",
            trigger: "select[name='token_id']:has(option:contains('4242'))",
            run() {
                const select = document.querySelector("select[name='token_id']");
                const option = [...select.options].find((o) => o.textContent.includes("4242"));
                select.value = option.value;
            },
        },
        {
            content: "Pay each invoice automatically with it",
            trigger: ".o_recurring_invoice_payment_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page says how it is paid",
            trigger: ".o_recurring_invoice_auto_payment:contains('4242')",
        },
    ],
});
