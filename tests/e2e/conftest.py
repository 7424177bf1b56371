import pytest

from channels.fakes import FakeProviders
from tests.e2e.stack import FAKE


@pytest.fixture(scope="module")
def fake():
    """Fake Twilio, Telegram and Zalo APIs on localhost, for the module's stack."""
    providers = FakeProviders(FAKE, port=0).start_in_thread()
    yield providers
    providers.stop()
