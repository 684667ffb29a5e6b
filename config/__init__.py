"""The Django project: settings, root URLs, WSGI/ASGI and middleware."""
