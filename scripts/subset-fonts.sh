#!/usr/bin/env bash
# Rebuilds the fonts the PDF export embeds (server/export/fonts/) from Debian's DejaVu Sans,
# cut down to the Latin, punctuation and symbol ranges casework is written in. genpdf embeds
# every font of a family whole, so the full fonts made each PDF 4 MB; the subsets make it small.
# Needs fonttools (`pip install fonttools`) and the fonts-dejavu-core package.
set -euo pipefail
src=/usr/share/fonts/truetype/dejavu
out="$(dirname "$0")/../server/export/fonts"
ranges="U+0009,U+000A,U+0020-024F,U+02B0-02FF,U+0300-036F,U+2000-206F,U+20A0-20CF,U+2100-214F,U+2190-21FF,U+2200-22FF,U+25A0-25FF,U+FFFD"
for face in DejaVuSans DejaVuSans-Bold; do
  pyftsubset "$src/$face.ttf" --unicodes="$ranges" --layout-features='' \
    --name-IDs='*' --name-languages='*' --notdef-outline --output-file="$out/$face.ttf"
done
