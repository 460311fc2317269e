"""The local web app: pages, the live-coach socket and the video upload (FastAPI)."""

from hipcoach.web.app import create_app

__all__ = ["create_app"]
