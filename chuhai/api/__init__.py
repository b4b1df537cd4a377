"""REST API /api/v1 (django-ninja) with token and session authentication."""
