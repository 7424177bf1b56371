"""Resident memory (RSS) of a system's processes, sampled in a background thread."""
from __future__ import annotations

import threading
from typing import Dict, Set

import psutil

MB = 1024 * 1024


def own_rss(process: psutil.Process, others: Set[int]) -> int:
    """RSS of a process and of its descendants that are not sampled on their own, in bytes."""
    try:
        total = process.memory_info().rss
        children = process.children()
    except psutil.NoSuchProcess:
        return 0
    return total + sum(own_rss(child, others) for child in children if child.pid not in others)


class RssSampler:
    """Samples every `interval` seconds between start() and stop(); keeps the first and peak values."""

    def __init__(self, processes: Dict[str, psutil.Process], interval: float = 0.2) -> None:
        self.processes = processes
        self.interval = interval
        self.first: Dict[str, int] = {}
        self.peak: Dict[str, int] = {label: 0 for label in processes}
        self.peak_total = 0
        self.samples = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def sample(self) -> None:
        sampled = {process.pid for process in self.processes.values()}
        current = {label: own_rss(process, sampled) for label, process in self.processes.items()}
        if not self.first:
            self.first = current
        for label, rss in current.items():
            self.peak[label] = max(self.peak[label], rss)
        self.peak_total = max(self.peak_total, sum(current.values()))
        self.samples += 1

    def _run(self) -> None:
        while not self._stopped.is_set():
            self.sample()
            self._stopped.wait(self.interval)

    def start(self) -> RssSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()
        self.sample()

    def result(self) -> dict:
        return {
            "samples": self.samples,
            "interval_s": self.interval,
            "idle_rss_mb": {label: round(rss / MB, 1) for label, rss in self.first.items()},
            "peak_rss_mb": {label: round(rss / MB, 1) for label, rss in self.peak.items()},
            "peak_total_rss_mb": round(self.peak_total / MB, 1),
        }
