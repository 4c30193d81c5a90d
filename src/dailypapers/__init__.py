"""dailypapers: a self-hostable research-paper discovery service for arXiv."""

__version__ = "0.1.0"
