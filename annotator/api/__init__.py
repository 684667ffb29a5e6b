"""The versioned JSON API, ``/api/v1/``: what a script needs without a browser.

A thin layer over the services and selectors the pages use, with the same rules: a
token acts with its owner's roles, people outside a project get 404 and a role too low
403, every write goes through the checked services (409 on a stale version), imports
are all or nothing.  Built with Django Ninja (see pyproject.toml for why):

- ``auth``     who is calling (token or session with CSRF), rate limit, body size
- ``errors``   problem details (RFC 9457) for every refusal
- ``schemas``  the shapes read and written, from which the OpenAPI schema is made
- ``projects``, ``articles``, ``annotations``, ``datasets``: one router per resource
- ``openapi``  the schema's finishing touches and the documentation page
- ``urls``     the API object and its URL patterns, included at ``api/v1/`` by config.urls
"""
