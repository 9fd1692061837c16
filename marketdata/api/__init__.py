"""The API policy shared by every app: authentication, permissions, rate limits, errors."""
