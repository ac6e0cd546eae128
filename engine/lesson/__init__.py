"""The lesson model: what a scenario or a user's program is, its variants, parameters,
invariants and challenge."""
