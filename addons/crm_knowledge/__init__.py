from . import models
from . import report
from . import wizards
from .models.knowledge_bigram_index import drop_function


def uninstall_hook(env):
    # the article table (and its index) goes with the module, the function not
    drop_function(env.cr)
