"""The load test's entry point (the code lives in the ``bench/loadtest`` package).

    .venv/bin/python bench/load_test.py --help
    .venv/bin/python bench/load_test.py --class-burst 50     # every page's burst vs the bare page
"""

import sys

from loadtest.cli import main  # bench/ is on sys.path as the script's directory

if __name__ == "__main__":
    sys.exit(main())
