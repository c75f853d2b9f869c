import sys

from sigdoctor.cli import main

sys.exit(main())
