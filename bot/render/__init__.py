"""Every output of a review: the pull request comment, the check run, JSON, SARIF, the terminal and the
rule pages of docs/rules/, from one jinja Environment over `templates/`. Imports the engine, never the app.
"""
