from . import recurring_generate_confirm
