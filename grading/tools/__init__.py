"""Instructor command lines and course helpers: parallel autograde, the class report,
the demo class and scratch courses (also used by the tests).
"""
