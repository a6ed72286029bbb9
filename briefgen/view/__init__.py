"""View: the template context for one audience and language, holding only what that audience may see."""
