"""The web client: static files served by ``careerpilot serve`` at ``/``."""
