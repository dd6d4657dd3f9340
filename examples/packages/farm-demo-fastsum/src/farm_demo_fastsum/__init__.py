"""Sums integers in C. Built by farm for every target."""
from farm_demo_fastsum._fastsum import fastsum, machine

__all__ = ["fastsum", "machine"]
