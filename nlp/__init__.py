"""spaCy to draft: loading pipelines, windows for long stories, extraction, training and scoring.

Plain data in and out. Nothing here imports a project app or touches the database.
"""
