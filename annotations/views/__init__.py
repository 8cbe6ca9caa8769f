"""Views of the annotations app, one module per page family (reader, review, dashboard)."""
