"""Tools for trainers and planners: sensitivity sweeps, the smallest change that meets a goal,
exercise packs scored against the engine, and the action framework as a phased roadmap."""
