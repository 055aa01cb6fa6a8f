from . import recurring_invoice_forecast
