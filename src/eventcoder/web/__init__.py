"""The browsing page (``eventcoder serve``): a FastAPI app with a JSON API under /api."""

from eventcoder.web.app import create_app, serve

__all__ = ["create_app", "serve"]
