#!/usr/bin/env bash
# Regenerate the application's translations from the source:
#   1. pylupdate5 collects every tr("…") text of gridgis/app into the .ts file
#      (existing translations are kept; new texts are marked unfinished);
#   2. translate the new entries (Qt Linguist: linguist gridgis/app/i18n/gridgis_zh_CN.ts);
#   3. lrelease compiles the .ts into the .qm the application loads (commit both).
# Needs pyqt5-dev-tools (pylupdate5) and qttools5-dev-tools (lrelease), at build time only.
set -euo pipefail
cd "$(dirname "$0")/.."
ts=gridgis/app/i18n/gridgis_zh_CN.ts
mapfile -t sources < <(find gridgis/app -name '*.py' | sort)
pylupdate5 -noobsolete "${sources[@]}" -ts "$ts"
lrelease -silent "$ts" -qm "${ts%.ts}.qm"
echo "updated $ts and ${ts%.ts}.qm"
