"""threadlab's Textual app: screens and panels that draw engine snapshots and send controls."""
