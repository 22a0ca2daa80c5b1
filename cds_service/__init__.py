"""CDS Hooks service for atopic dermatitis prescribing."""
