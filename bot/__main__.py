"""`python -m bot` and the `statusbot` console script."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    try:
        from bot.adapters.cli import run  # Ctrl-C while the program is still loading is no error either

        return run(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
