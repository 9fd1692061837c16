"""The two built-in roles and what each may do."""

ANALYSTS = "Analysts"
CURATORS = "Curators"
DATA_APPS = ("venues", "entities", "instruments", "ingestion")

# Role -> permission actions granted on every model of the data apps.
ROLE_ACTIONS = {
    ANALYSTS: ("view",),
    CURATORS: ("view", "add", "change"),
}
# Role -> data apps it gets nothing on. The admin grants what the API grants: ingestion runs (loads, their errors
# and rejected records) are operations data for curators and admins, so analysts see them in neither.
ROLE_EXCLUDED_APPS = {ANALYSTS: ("ingestion",)}


def role_apps(role: str) -> tuple[str, ...]:
    """The data apps whose models a role has its actions on."""
    return tuple(label for label in DATA_APPS if label not in ROLE_EXCLUDED_APPS.get(role, ()))
