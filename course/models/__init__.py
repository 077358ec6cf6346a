"""Pre-trained models that ship inside installed packages, loaded offline and checked by their hash."""
