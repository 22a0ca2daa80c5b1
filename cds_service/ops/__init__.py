"""Operating the service: metrics, JSON logs, the explain command, reports and the card gallery."""
