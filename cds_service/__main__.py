"""`python -m cds_service explain | feedback-report | gallery` (see `--help`)."""

import sys

from cds_service.ops.cli import main

sys.exit(main())
