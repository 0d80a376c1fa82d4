#!/bin/sh
# Fills corpus/<target>/ with the seed inputs of every fuzz target: the sample messages
# (fixtures/samples, its envelope/ and invalid/ folders) and every request of
# fixtures/scenarios. The corpus is a build product (git-ignored): the fixtures stay the one copy.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../../../fixtures"
for target in guard validate from_xml; do
    dir="$here/corpus/$target"
    mkdir -p "$dir"
    for f in "$fixtures"/samples/*.xml "$fixtures"/samples/envelope/*.xml \
        "$fixtures"/samples/invalid/*.xml "$fixtures"/scenarios/*/*.request.xml; do
        [ -f "$f" ] || continue
        # Named by content, like libFuzzer's own corpus entries: reruns add nothing twice.
        cp "$f" "$dir/$(sha1sum "$f" | cut -c1-40)"
    done
done
echo "seeded $(ls "$here/corpus/guard" | wc -l) inputs per target under $here/corpus"
