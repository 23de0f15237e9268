"""``python -m analysis run ...``: see analysis.run."""
import sys

from .run import main

sys.exit(main())
