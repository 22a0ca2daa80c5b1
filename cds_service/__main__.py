"""`python -m cds_service COMMAND`: serve, explain, gallery, fixtures, new-rule... (`--help`)."""

import sys

from cds_service.ops.cli import main

sys.exit(main())
