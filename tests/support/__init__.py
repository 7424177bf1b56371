"""What every test suite shares: waiting for a condition, serving a Sanic app, a free port."""
