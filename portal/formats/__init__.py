"""Our own locale formats (FORMAT_MODULE_PATH): what Django's own lack for Vietnam.

Only the input formats are set here; everything else (how dates are shown, separators) comes
from Django's locale files, which Django reads after these.
"""
