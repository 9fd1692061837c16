"""The two built-in roles and what each may do."""

ANALYSTS = "Analysts"
CURATORS = "Curators"
DATA_APPS = ("venues", "entities", "instruments", "ingestion")

# Role -> permission actions granted on every model of the data apps.
ROLE_ACTIONS = {
    ANALYSTS: ("view",),
    CURATORS: ("view", "add", "change"),
}
