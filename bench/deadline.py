"""One deadline for the whole benchmark run; every wait takes the smaller of its own limit and it."""
from __future__ import annotations

import time


class RunTimeout(RuntimeError):
    pass


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def limit(self, seconds: float) -> float:
        """`seconds`, or less when the run has less left; raises when nothing is left."""
        left = self.remaining()
        if left <= 0:
            raise RunTimeout(f"the whole run went over its {self.seconds:.0f} s limit (--timeout)")
        return min(seconds, left)

    def rest(self) -> float:
        """What is left of the run; raises when nothing is."""
        return self.limit(self.seconds)
