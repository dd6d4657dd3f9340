"""Greets in colour; depends on farm-demo-colors."""
from farm_demo_colors import paint


def greet(name: str) -> str:
    return paint(f"hello, {name}", "green")
