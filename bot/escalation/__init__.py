"""Escalation to consular duty officers, around the case store (bot/cases):

- ``link``: the Redis flags and queue that tie a case to the worker's live conversation
  (open case, officer has taken it, messages to her through her own channel).
- ``opening``: opening a case from the dialogue, committed before she is told.
- ``notify``: alerting the on-duty officer, then the backup, then the desk, at the SLA.
- ``actions``: what officers do from the console (acknowledge, take, reply, close …).
- ``events``: messages and officer acknowledgements arriving from the channels.
- ``service``: the background jobs the console process runs.
"""
