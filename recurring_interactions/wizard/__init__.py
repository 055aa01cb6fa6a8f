from . import recurring_generate_confirm
from . import mail_activity_schedule
