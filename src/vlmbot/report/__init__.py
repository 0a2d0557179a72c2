"""Human-readable reports: annotated images and an HTML page per run."""
