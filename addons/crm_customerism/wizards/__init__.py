from . import crm_customer_termination_wizard
from . import crm_complaint_merge_wizard
from . import crm_complaint_gesture_wizard
from . import crm_interaction_log_wizard
from . import mail_compose_message
