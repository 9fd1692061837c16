"""Settings package: base.py holds everything, the others override a few lines."""
