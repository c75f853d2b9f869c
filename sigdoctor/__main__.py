import sys

from sigdoctor.entry import main

sys.exit(main())
