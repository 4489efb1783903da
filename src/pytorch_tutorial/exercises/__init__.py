"""Exercises with automatic checks: small functions to write after each lesson, checked on the spot.

Layout:

- ``catalog.py``: every exercise (id ``N.K``, the file and names it lives in, title, hint); imports no torch.
- ``stubs/exNN_slug.py``: what ``pytorch-tutorial exercises start`` copies into the learner's folder, one file
  per lesson, one function (or class) per exercise whose docstring states the task and whose body raises
  ``NotImplementedError``.
- ``solutions/exNN_slug.py``: the reference solutions, same names; ``pytorch-tutorial solution N.K`` prints them.
- ``checks/exNN_slug.py``: one check per exercise (``@check("2.1")``), testing behaviour on several inputs,
  with property tests (hypothesis) and finite differences where they apply; ``checking.py`` holds their tools.
- ``worker.py``: runs one check on a learner's file in a worker process; ``runner.py`` drives that process
  with a time limit per exercise, so code that raises, loops forever or does not parse is reported, never fatal.
- ``commands.py``: the ``exercises start``, ``check``, ``hint`` and ``solution`` commands.
"""
