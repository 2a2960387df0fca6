#!/usr/bin/env bash
# Re-render docs/qgis-plugin.png: QGIS Desktop (in Chinese, under Xvfb) with the plugin zip
# installed in a throwaway profile, the demo district opened through the GridGIS menu
# (hierarchy, checks and grid inspector docks, the over-full grid inspected, the split
# tool on), 康乐社区 divided by the "Divide a community" algorithm (output loaded,
# styled), and the Processing Toolbox filtered to GridGIS. Needs Debian's qgis and xvfb.
#   tools/plugin_picture.sh            (after make plugin)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
zip=$(ls dist/gridgis_qgis-*.zip | tail -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/profiles/default/QGIS" "$work/plugins"
unzip -q "$zip" -d "$work/plugins"
cp data/demo.gpkg "$work/demo.gpkg"
cat > "$work/profiles/default/QGIS/QGIS3.ini" <<INI
[PythonPlugins]
gridgis_qgis=true
processing=true

[locale]
overrideFlag=true
userLocale=zh-Hans

[qgis]
showTips=false
checkVersion=false
INI
cat > "$work/picture.py" <<PY
from qgis.utils import iface, plugins
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication, QDockWidget, QLineEdit
import processing


def shoot():
    iface.mainWindow().grab().save("$root/docs/qgis-plugin.png")
    QApplication.instance().quit()


def inspect():
    plugin = plugins["gridgis_qgis"]
    workspace = plugin.workspace
    workspace.hierarchy.show_row("community", "320599001003")
    workspace.hierarchy.expand_community("320599001003")
    grids = plugin.layers["grids"]
    fid = next(f.id() for f in grids.getFeatures() if f["code"] == "320599001003001")
    workspace.inspector.inspector.show_grid(fid)
    plugin.actions["split"].trigger()
    QTimer.singleShot(3000, shoot)


def show():
    iface.mainWindow().resize(1600, 1000)
    plugins["gridgis_qgis"].open_project("$work/demo.gpkg")
    processing.runAndLoadResults(
        "gridgis:divide",
        {"PROJECT": "$work/demo.gpkg", "COMMUNITY": "320599002002",
         "OUTPUT": "TEMPORARY_OUTPUT", "REPORT": "$work/report.html"},
    )
    toolbox = iface.mainWindow().findChild(QDockWidget, "ProcessingToolbox")
    toolbox.show()
    toolbox.findChild(QLineEdit).setText("GridGIS")
    QTimer.singleShot(4000, inspect)


QTimer.singleShot(3000, show)
PY
env -u GRIDGIS_LANG QGIS_PLUGINPATH="$work/plugins" \
  GRIDGIS_SITE_PACKAGES="$root/.venv/lib/python3.11/site-packages" \
  xvfb-run -a -s '-screen 0 1700x1100x24' \
  qgis --nologo --noversioncheck --profiles-path "$work" --code "$work/picture.py"
echo "wrote docs/qgis-plugin.png"
