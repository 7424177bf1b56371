"""Tests of the fake provider APIs (channels/fakes/), one module a part: test_twilio.py,
test_telegram.py and test_zalo.py each provider's endpoints, test_control.py the state, the
control API and FakeProviders agreeing, the error bodies, thread mode and the command line.
common.py holds the credentials, addresses and request helpers they share; conftest.py the
fixtures (a running fake and the clients the helpline sends with)."""
