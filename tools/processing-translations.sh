#!/usr/bin/env bash
# Regenerate the Chinese of the Processing algorithms:
#   1. pylupdate5 collects every self.tr("…") of gridgis/qgis/processing into the .ts
#      file (existing translations are kept; new texts are marked unfinished);
#   2. translate the new entries (Qt Linguist, or by hand in the .ts file);
#   3. lrelease compiles the .ts into the .qm the provider loads (commit both).
# Needs pyqt5-dev-tools (pylupdate5) and qttools5-dev-tools (lrelease), at build time only.
set -euo pipefail
cd "$(dirname "$0")/.."
ts=gridgis/qgis/processing/i18n/gridgis_processing_zh_CN.ts
mapfile -t sources < <(find gridgis/qgis/processing -name '*.py' | sort)
pylupdate5 -noobsolete "${sources[@]}" -ts "$ts"
lrelease -silent "$ts" -qm "${ts%.ts}.qm"
echo "updated $ts and ${ts%.ts}.qm"
