"""``python -m partnership``: see partnership.cli."""

import sys

from .cli import main

sys.exit(main())
