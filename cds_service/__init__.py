"""CDS Hooks service for atopic dermatitis / eczema prescribing."""

from cds_service.app import create_app

__all__ = ["create_app"]
