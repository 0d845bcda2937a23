"""Loa: the administrative-reform communication plan of a Vietnamese public agency."""
