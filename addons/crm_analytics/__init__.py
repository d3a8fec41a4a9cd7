from . import analysis
from . import models
