"""The portfolio: evidence from every project's results, PORTFOLIO.md checked against it, a static page.

``evidence`` reads the results files; ``doc`` checks PORTFOLIO.md (project 8's graded deliverable); ``page``
builds the shareable page and ``command`` is ``course portfolio``.
"""
