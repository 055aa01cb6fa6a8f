from . import recurring_invoice
from . import recurring_invoice_line
from . import recurring_invoice_period
from . import recurring_invoice_renewal
from . import recurring_invoice_invoicing
from . import recurring_invoice_cron
from . import account_move
from . import mail_activity
