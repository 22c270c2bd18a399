"""The GitHub App: the web process (webhooks, setup, health, metrics), the job store and workers, repository
snapshots, server settings, and the GitHub client package. The only package that imports githubkit,
starlette or uvicorn; it may import every other layer, and nothing but the command line imports it.
"""
