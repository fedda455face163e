#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into an EMPTY database and EMPTY attachments store.
#
#   deploy/restore.sh BACKUP_DIR
#
# Steps: verify the checksums; refuse if the database already has tables or the attachments
# directory has files (a restore never merges into live data); pg_restore in one transaction
# (all or nothing); unpack the attachments into MEDIA_ROOT, or mirror them into the S3 bucket.
# Then run `manage.py migrate` (a no-op for a backup of the same version) and start the app.
#
# Environment: the same as backup.sh — DATABASE_URL (the new, empty database), STORAGE_BACKEND,
# MEDIA_ROOT (local) or S3_ENDPOINT_URL/S3_BUCKET/S3_ACCESS_KEY/S3_SECRET_KEY (s3; needs mc).
set -euo pipefail
umask 077

die() { echo "restore: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: restore.sh BACKUP_DIR"
src=$1
: "${DATABASE_URL:?restore: DATABASE_URL is required}"
storage=${STORAGE_BACKEND:-local}
command -v pg_restore >/dev/null || die "pg_restore is not installed"
command -v psql >/dev/null || die "psql is not installed"
for part in db.dump media.tar.gz SHA256SUMS; do
  [ -f "$src/$part" ] || die "$src is not a complete backup: $part is missing"
done

echo "restore: verifying checksums" >&2
(cd "$src" && sha256sum --quiet --check SHA256SUMS) || die "checksums do not match"

tables=$(psql --dbname="$DATABASE_URL" -XtAc \
  "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
[ "$tables" = "0" ] || die "the database already has $tables tables; restore into an empty one"

case "$storage" in
  local)
    : "${MEDIA_ROOT:?restore: MEDIA_ROOT is required with local storage}"
    mkdir -p "$MEDIA_ROOT"
    [ -z "$(ls -A "$MEDIA_ROOT")" ] || die "MEDIA_ROOT $MEDIA_ROOT is not empty"
    ;;
  s3)
    command -v mc >/dev/null || die "mc (MinIO client) is needed to restore into an S3 bucket"
    : "${S3_ENDPOINT_URL:?}" "${S3_BUCKET:?}" "${S3_ACCESS_KEY:?}" "${S3_SECRET_KEY:?}"
    export MC_HOST_motcua="${S3_ENDPOINT_URL%%://*}://${S3_ACCESS_KEY}:${S3_SECRET_KEY}@${S3_ENDPOINT_URL#*://}"
    [ -z "$(mc ls --recursive "motcua/$S3_BUCKET" | head -n 1)" ] \
      || die "bucket $S3_BUCKET is not empty"
    ;;
  *) die "unknown STORAGE_BACKEND $storage" ;;
esac

echo "restore: restoring the database" >&2
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$src/db.dump"

case "$storage" in
  local)
    echo "restore: unpacking attachments into $MEDIA_ROOT" >&2
    # Run as root (the backup container), tar gives the files back their numeric owner: the
    # app's user, so web and nginx can read them. Run as anyone else, the files are theirs.
    tar -C "$MEDIA_ROOT" -xzf "$src/media.tar.gz" --numeric-owner
    ;;
  s3)
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    tar -C "$work" -xzf "$src/media.tar.gz" --no-same-owner
    echo "restore: uploading attachments to bucket $S3_BUCKET" >&2
    mc mirror --quiet "$work" "motcua/$S3_BUCKET"
    ;;
esac

echo "restore: done" >&2
