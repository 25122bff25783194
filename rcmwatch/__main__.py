"""``python -m rcmwatch``: the console script, for child processes of ``rcmwatch demo``."""

import sys

from rcmwatch.cli.main import main

sys.exit(main())
