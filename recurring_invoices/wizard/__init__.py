from . import recurring_invoice_preview
from . import recurring_invoice_issue
