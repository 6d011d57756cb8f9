"""The advisor's JSON API (``advisor serve``): the same models and functions as the CLI, over HTTP.

``advisor.api.app.create_app`` builds the FastAPI application; ``advisor.api.tokens`` keeps the
API tokens; ``advisor.api.auth`` decides who may call what; ``advisor.api.errors`` gives every
refusal one shape.
"""
