"""Helpers the tests import explicitly: recap files written byte for byte, a hand-made facility data set, and
reading a warehouse back."""
