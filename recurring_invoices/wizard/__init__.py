from . import recurring_invoice_preview
