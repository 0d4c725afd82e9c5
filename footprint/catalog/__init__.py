"""Site catalogs in the WhatsMyName schema."""
