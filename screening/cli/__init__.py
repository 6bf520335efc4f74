"""``screening`` command line (the entry point is :data:`screening.cli.app.app`).

``common`` holds what every command shares, ``summaries`` what they print; each other
module holds one group of commands.
"""

from screening.cli.app import app

__all__ = ["app"]
