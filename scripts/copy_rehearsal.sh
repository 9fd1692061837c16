#!/usr/bin/env bash
# Rehearse the move of the configured database (migrated, loaded with the sample set) to TARGET_URL, a migrated
# empty database: a copy of two tables stopped there, resumed to the end and verified, verify_database on its own,
# then one row changed in the target, which verify_database must report (exit 1, the table named).
# Usage: TARGET_ENV="DATABASE_TYPE=... (the target's settings variables)" scripts/copy_rehearsal.sh TARGET_URL
# [BACKUP_DIR]; TARGET_ENV migrates the target and changes its row. CI runs it SQLite -> SQL Server (ci.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
target="$1"
read -r -a target_env <<<"${TARGET_ENV:?TARGET_ENV: the settings variables that select the target database}"
backups="${2:-var/backups}"
mkdir -p "$backups"
PYTHON="${PYTHON:-python}"
echo "==> source: migrate and load the sample set"
"$PYTHON" manage.py migrate --no-input -v 0
"$PYTHON" manage.py load_sample_data
echo "==> target: migrate"
env "${target_env[@]}" "$PYTHON" manage.py migrate --no-input -v 0
echo "==> copy two tables only (an interrupted copy), then resume to the end and verify"
"$PYTHON" manage.py copy_database "$target" --tables venues_venue entities.legalentity --backup-dir "$backups"
"$PYTHON" manage.py copy_database "$target" --resume --verify --no-backup
"$PYTHON" manage.py verify_database "$target"
echo "==> change one venue in the target: the verifier must name it"
env "${target_env[@]}" "$PYTHON" manage.py shell -c "
from venues.models import Venue
venue = Venue.objects.order_by('pk').first()
assert venue is not None, 'the sample set loaded no venue'
Venue.objects.filter(pk=venue.pk).update(market_name=venue.market_name + ' (changed in the target)')
print('changed venue pk', venue.pk)"
if "$PYTHON" manage.py verify_database "$target" >"$backups/verify.out" 2>&1; then
  cat "$backups/verify.out"
  echo "verify_database found no difference after a row was changed" >&2
  exit 1
fi
cat "$backups/verify.out"
grep -q "venues_venue: DIFFERENT: .*1 changed" "$backups/verify.out"
echo "copy rehearsal: copied, resumed, verified identical, and the changed row reported"
