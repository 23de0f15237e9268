"""Helpers for comparing how news outlets frame the same story.

Modules, one per concern: ``paths``, ``text``, ``corpus``, ``engine``, ``terms``,
``stats``, ``sentiment``, ``compare``, ``plots``, ``tables``, ``run``. See
``docs/architecture.md`` for how they fit together.
"""
__version__ = "0.1.0"
