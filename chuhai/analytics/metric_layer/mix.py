"""Channel concentration and market mix (work in progress: nothing registered yet)."""
