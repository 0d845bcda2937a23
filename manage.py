#!/usr/bin/env python
"""Django's usual entry point; `loa` (the console script) does the same and more."""

from loa.__main__ import main

if __name__ == "__main__":
    main()
