"""Entity resolution: one company, whatever each agency calls it."""
