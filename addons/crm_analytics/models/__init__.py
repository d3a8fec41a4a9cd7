from . import crm_analytics_analysis
