"""The toolkit's one exception root.

Every error that a ``course`` command reports as a message, not a traceback, derives from
:class:`CourseError`; the command line maps it (and an ``OSError`` naming a file) to one line on stderr
and exit status 2 in one place (``course/cli.py``).
"""

from __future__ import annotations

EXIT_ERROR = 2  # the command could not do its work: bad input, bad options, a missing file


class CourseError(Exception):
    """An error the user can fix, with a message that names what is wrong."""
