#!/bin/sh
# One-shot set-up of MinIO for MotCua (the `minio-init` service, image minio/mc):
# the attachments bucket, private (no anonymous access, ever), and the application's own
# access key limited to that bucket. Safe to run again.
set -eu

: "${MINIO_ROOT_USER:?}" "${MINIO_ROOT_PASSWORD:?}" "${S3_BUCKET:?}"
: "${S3_ACCESS_KEY:?}" "${S3_SECRET_KEY:?}"

mc alias set motcua "${MINIO_URL:-http://minio:9000}" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing "motcua/$S3_BUCKET"
mc anonymous set none "motcua/$S3_BUCKET"

if [ "$S3_ACCESS_KEY" = "$MINIO_ROOT_USER" ]; then
  echo "minio-init: the app uses the root credentials; create a separate S3_ACCESS_KEY" >&2
  exit 0
fi

# Read, write and delete objects of this bucket only; list it (the backup mirrors it).
printf '%s\n' '{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow",
     "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::'"$S3_BUCKET"'"]},
    {"Effect": "Allow",
     "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
     "Resource": ["arn:aws:s3:::'"$S3_BUCKET"'/*"]}
  ]
}' > /tmp/motcua-app-policy.json
mc admin policy create motcua motcua-app /tmp/motcua-app-policy.json
mc admin user add motcua "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
# Attaching twice is an error on MinIO; a policy already in place is what we want.
# (Shell only: the mc image has no grep.)
if ! mc admin policy attach motcua motcua-app --user "$S3_ACCESS_KEY"; then
  case "$(mc admin user info motcua "$S3_ACCESS_KEY")" in
    *motcua-app*) ;;
    *) echo "minio-init: could not attach the policy" >&2; exit 1 ;;
  esac
fi
echo "minio-init: bucket $S3_BUCKET ready, key $S3_ACCESS_KEY limited to it"
