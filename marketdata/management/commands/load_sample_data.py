"""Load the sample data shipped in samples/ through the real loaders."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

SAMPLES = Path(settings.BASE_DIR) / "samples"

# (command, sample folder) in load order: venues, then entities, then instruments and their transparency.
STEPS = (
    ("load_mic", "mic"),
    ("load_gleif", "gleif"),
    ("load_firds", "firds"),
    ("load_fitrs", "fitrs"),
)


class Command(BaseCommand):
    """load_sample_data: MIC subset, GLEIF records, FIRDS and FITRS files from samples/."""

    help = "Load the shipped sample set (venues, legal entities, FIRDS instruments, FITRS transparency)."

    def handle(self, *args, **options):
        for command, folder in STEPS:
            path = SAMPLES / folder
            if not path.exists():
                self.stderr.write(f"skipping {command}: {path} is missing")
                continue
            self.stdout.write(f"==> {command} {path.relative_to(settings.BASE_DIR)}")
            call_command(command, str(path), stdout=self.stdout, stderr=self.stderr)
