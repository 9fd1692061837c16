"""Loading the sources: find and download, parse, load, and record each run."""
