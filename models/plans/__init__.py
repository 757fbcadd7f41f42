"""Plans as data: plans, sections and items; cadences, due rules and the working-day calendar."""
