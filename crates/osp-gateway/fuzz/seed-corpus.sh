#!/bin/sh
# Fills corpus/<target>/ with the seed inputs of the gateway's fuzz targets: the sample messages
# and envelopes and every request of fixtures/scenarios. The pipeline target reads its first
# byte as the certificate to connect with, so its seeds get one byte in front (0 = the school).
# The corpus is a build product (git-ignored): the fixtures stay the one copy.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../../../fixtures"
mkdir -p "$here/corpus/envelope" "$here/corpus/pipeline"
for f in "$fixtures"/samples/*.xml "$fixtures"/samples/envelope/*.xml \
    "$fixtures"/samples/invalid/*.xml "$fixtures"/scenarios/*/*.request.xml; do
    [ -f "$f" ] || continue
    name=$(sha1sum "$f" | cut -c1-40)
    cp "$f" "$here/corpus/envelope/$name"
    { printf '\000'; cat "$f"; } > "$here/corpus/pipeline/$name"
done
echo "seeded $(ls "$here/corpus/envelope" | wc -l) inputs per target under $here/corpus"
