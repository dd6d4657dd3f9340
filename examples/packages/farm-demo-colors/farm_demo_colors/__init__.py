"""ANSI colours, the smallest possible dependency."""
CODES = {"red": 31, "green": 32, "yellow": 33, "blue": 34}


def paint(text: str, color: str) -> str:
    return f"\033[{CODES[color]}m{text}\033[0m"
