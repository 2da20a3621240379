"""``python -m collab_advisor``: the same as the ``collab-advisor`` command."""

import sys

from ._cli.app import main

sys.exit(main())
