"""Package data of `kg serve`: HTML templates and bundled static files (no CDN)."""
