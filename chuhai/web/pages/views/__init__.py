"""Views of the core pages: each checks permissions, parses the request with a form, calls a service or query and
renders. Nothing here decides business rules."""
