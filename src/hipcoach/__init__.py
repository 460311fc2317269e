"""hipcoach: a local coach for the psoas progression and the precise clamshell."""

__version__ = "0.1.0"
