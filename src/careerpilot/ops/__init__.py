"""Operations helpers: capacity planning from measured turns."""
