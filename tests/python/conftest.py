# SPDX-License-Identifier: GPL-2.0-only
# The modules' shared code is plain Python: import it from module_utils/ directly.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "module_utils"))
