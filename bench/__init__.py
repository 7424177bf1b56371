"""`make bench`: throughput, latency and memory of the helpline against a stock Rasa 3.6 assistant,
and the provider channels (SMS, Telegram, Zalo) against fake providers (`bench.channels`).

Both systems get the same conversations over the REST channel at the same concurrency, one system
after the other so they never share the CPU. See docs/benchmarks.md.
"""
