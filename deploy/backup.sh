#!/usr/bin/env bash
# Back up MotCua: the PostgreSQL database and every attachment, into one new directory.
#
#   deploy/backup.sh [DEST_ROOT]          (default: $BACKUP_DIR, else /backups)
#
# Writes DEST_ROOT/motcua-<UTC time>/ holding
#   db.dump          pg_dump, custom format (restore with deploy/restore.sh or pg_restore)
#   media.tar.gz     the attachments: MEDIA_ROOT (local storage) or the S3 bucket (mc mirror)
#   SHA256SUMS       checksums of the two, verified by restore.sh
# and prints that directory's path on the last line. The directory only appears once it is
# complete (it is written as *.partial and renamed), so a half-written backup is never taken
# for a good one.
#
# Environment:
#   DATABASE_URL       postgres://user:password@host:5432/name            (required)
#   STORAGE_BACKEND    local (default) or s3
#   MEDIA_ROOT         the attachments directory, for local storage       (required if local)
#   S3_ENDPOINT_URL, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY              (for s3; needs mc)
#   BACKUP_KEEP        keep only the newest N backups in DEST_ROOT        (optional)
#
# Order matters: the database is dumped first, the files second. A file is written before
# the row that names it is committed, so every file the dump mentions is already there when
# the files are copied (files uploaded meanwhile are extra, never missing).
set -euo pipefail
umask 077

die() { echo "backup: $*" >&2; exit 1; }

: "${DATABASE_URL:?backup: DATABASE_URL is required}"
dest_root=${1:-${BACKUP_DIR:-/backups}}
storage=${STORAGE_BACKEND:-local}
command -v pg_dump >/dev/null || die "pg_dump is not installed"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$dest_root/motcua-$stamp"
partial="$target.partial"
[ -e "$target" ] && die "$target already exists"
mkdir -p "$partial"
trap 'rm -rf "$partial"' EXIT

echo "backup: dumping the database" >&2
pg_dump --format=custom --compress=6 --no-owner --no-privileges \
  --dbname="$DATABASE_URL" --file="$partial/db.dump"

case "$storage" in
  local)
    : "${MEDIA_ROOT:?backup: MEDIA_ROOT is required with local storage}"
    [ -d "$MEDIA_ROOT" ] || die "MEDIA_ROOT $MEDIA_ROOT is not a directory"
    echo "backup: archiving $MEDIA_ROOT" >&2
    tar -C "$MEDIA_ROOT" --numeric-owner -czf "$partial/media.tar.gz" .
    ;;
  s3)
    command -v mc >/dev/null || die "mc (MinIO client) is needed to back up an S3 bucket"
    : "${S3_ENDPOINT_URL:?}" "${S3_BUCKET:?}" "${S3_ACCESS_KEY:?}" "${S3_SECRET_KEY:?}"
    # mc reads an alias from MC_HOST_<name>: scheme://ACCESS:SECRET@host:port
    export MC_HOST_motcua="${S3_ENDPOINT_URL%%://*}://${S3_ACCESS_KEY}:${S3_SECRET_KEY}@${S3_ENDPOINT_URL#*://}"
    echo "backup: mirroring bucket $S3_BUCKET" >&2
    mkdir "$partial/media"
    mc mirror --quiet "motcua/$S3_BUCKET" "$partial/media"
    tar -C "$partial/media" -czf "$partial/media.tar.gz" .
    rm -rf "${partial:?}/media"
    ;;
  *) die "unknown STORAGE_BACKEND $storage" ;;
esac

(cd "$partial" && sha256sum db.dump media.tar.gz > SHA256SUMS)
mv "$partial" "$target"
trap - EXIT

if [ -n "${BACKUP_KEEP:-}" ]; then
  # Newest first; the names sort by time. Remove everything past the N newest.
  find "$dest_root" -maxdepth 1 -type d -name 'motcua-*' ! -name '*.partial' -printf '%f\n' \
    | sort -r | tail -n +"$((BACKUP_KEEP + 1))" \
    | while read -r old; do rm -rf "${dest_root:?}/$old"; echo "backup: removed $old" >&2; done
fi

echo "backup: done" >&2
echo "$target"
