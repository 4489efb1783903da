"""``python -m pytorch_tutorial`` is the ``pytorch-tutorial`` command."""

import sys

from pytorch_tutorial.cli import main

sys.exit(main())
