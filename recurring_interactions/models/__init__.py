from . import recurring_rule_mixin
from . import recurring_activity_generator
from . import recurring_activity_generator_jobs
from . import recurring_interaction
from . import recurring_interaction_filter
from . import mail_activity
from . import res_partner
from . import res_config_settings
