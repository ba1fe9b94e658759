"""Helpers shared by the tests only: paths, notebook readers, integrity reports, an ordinary user."""
