"""Start pytest for a grading run, without the optional IRI checker that jsonschema loads at import.

nbval imports nbformat, which imports jsonschema; jsonschema imports ``rfc3987_syntax`` whenever it is
installed (jupyter-events pulls it in through ``jsonschema[format-nongpl]``), and that module compiles 38
Earley parsers at import: about 1.9 s of every grading process on a 2-core machine. No notebook schema
uses the ``iri`` formats it validates, so the grader's test processes start without it.
"""

from __future__ import annotations

import sys

#: Modules the grader's test processes never import (a ``None`` entry makes ``import`` raise ImportError).
SKIPPED_MODULES = ("rfc3987_syntax",)


def main() -> int:
    """Run pytest with the command line of this process."""
    from course.grading.processes import apply_own_limits

    apply_own_limits()
    for name in SKIPPED_MODULES:
        sys.modules.setdefault(name, None)
    import pytest

    return int(pytest.main())


if __name__ == "__main__":
    sys.exit(main())
