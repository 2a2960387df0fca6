<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>BoardsAlgorithm</name>
    <message>
        <location filename="../boards.py" line="47"/>
        <source>Print grid boards</source>
        <translation>打印网格公示牌</translation>
    </message>
    <message>
        <location filename="../boards.py" line="50"/>
        <source>Prints the grid board (网格公示牌) of every grid of a GridGIS project, or of one community or street, as print-ready PDFs with Chinese text: the grid's map and locator, its staff with photo, role and phone, the grid leader's QR code, the duties and the supervision hotline. The output folder receives boards.pdf (every board, for the print shop) and boards/&lt;code&gt;_&lt;name&gt;.pdf (one per grid).

Community / street: print only the grids of this community (12 digits) or street (9 digits); leave both empty for the whole project.
Template: A3 or A4 board, or a .qpt template saved from QGIS's layout designer (it then replaces the choice).
Service cards: also service-cards.pdf, ten cards per A4 sheet.
Overview maps: also the street and community maps of the printed grids.
PNG: also a picture of every board for sharing.

Files appear in the output folder only when the whole run succeeded; a cancelled run leaves the folder as it was. Printing needs the Noto Sans CJK SC font. Inside QGIS the boards are printed in QGIS's own process; the gridgis boards command prints large runs in parallel.</source>
        <translation>把 GridGIS 项目中每个网格(或一个社区、一个街道的网格)的网格公示牌打印为可直接付印的 PDF,中文完整:网格地图和位置示意图,工作人员的照片、岗位和电话,网格长的二维码,工作职责和监督电话。输出文件夹中得到 boards.pdf(全部公示牌,交付印刷)和 boards/&lt;编码&gt;_&lt;名称&gt;.pdf(每个网格一份)。

社区/街道:只打印这个社区(12 位)或街道(9 位)的网格;都留空则打印整个项目。
模板:A3 或 A4 公示牌,或在 QGIS 布局设计器中保存的 .qpt 模板(此时替代上面的选择)。
便民服务卡:同时生成 service-cards.pdf,每张 A4 十张卡片。
分布图:同时打印所涉街道和社区的网格分布图。
PNG:同时为每块公示牌生成一张图片,便于分享。

只有整个打印任务成功后文件才会出现在输出文件夹中;取消的任务不改变该文件夹。打印需要 Noto Sans CJK SC 字体。在 QGIS 中公示牌在 QGIS 自身的进程中打印;大批量打印可用 gridgis boards 命令并行完成。</translation>
    </message>
    <message>
        <location filename="../boards.py" line="77"/>
        <source>Community code (empty: all)</source>
        <translation>社区编码(留空:全部)</translation>
    </message>
    <message>
        <location filename="../boards.py" line="80"/>
        <source>Street code (empty: all)</source>
        <translation>街道编码(留空:全部)</translation>
    </message>
    <message>
        <location filename="../boards.py" line="85"/>
        <source>Board template</source>
        <translation>公示牌模板</translation>
    </message>
    <message>
        <location filename="../boards.py" line="85"/>
        <source>A3 board</source>
        <translation>A3 公示牌</translation>
    </message>
    <message>
        <location filename="../boards.py" line="85"/>
        <source>A4 board</source>
        <translation>A4 公示牌</translation>
    </message>
    <message>
        <location filename="../boards.py" line="93"/>
        <source>Own template (.qpt, replaces the choice above)</source>
        <translation>自定义模板(.qpt,替代上面的选择)</translation>
    </message>
    <message>
        <location filename="../boards.py" line="93"/>
        <source>QGIS print templates (*.qpt)</source>
        <translation>QGIS 打印模板 (*.qpt)</translation>
    </message>
    <message>
        <location filename="../boards.py" line="102"/>
        <source>Also print service cards</source>
        <translation>同时打印便民服务卡</translation>
    </message>
    <message>
        <location filename="../boards.py" line="102"/>
        <source>Also print the overview maps</source>
        <translation>同时打印网格分布图</translation>
    </message>
    <message>
        <location filename="../boards.py" line="102"/>
        <source>Also write a PNG of every board</source>
        <translation>同时为每块公示牌生成 PNG 图片</translation>
    </message>
    <message>
        <location filename="../boards.py" line="110"/>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <location filename="../boards.py" line="115"/>
        <source>All boards (PDF)</source>
        <translation>全部公示牌(PDF)</translation>
    </message>
    <message>
        <location filename="../boards.py" line="118"/>
        <source>Boards</source>
        <translation>公示牌数</translation>
    </message>
    <message>
        <location filename="../boards.py" line="131"/>
        <source>Give a community or a street, not both.</source>
        <translation>社区和街道只能填写一个。</translation>
    </message>
    <message>
        <location filename="../boards.py" line="156"/>
        <source>Printed {count} grid boards into {folder}.</source>
        <translation>已打印 {count} 块网格公示牌到 {folder}。</translation>
    </message>
    <message>
        <location filename="../boards.py" line="165"/>
        <source>These grids have no grid leader; their boards carry no QR code: {codes}</source>
        <translation>以下网格没有网格长,公示牌上不印二维码:{codes}</translation>
    </message>
</context>
<context>
    <name>DivideAlgorithm</name>
    <message>
        <location filename="../divide.py" line="83"/>
        <source>Divide a community</source>
        <translation>划分社区网格</translation>
    </message>
    <message>
        <location filename="../divide.py" line="86"/>
        <source>Divides a community of a GridGIS project into responsibility grids that stay inside the household band, follow roads where there are roads, never cut a building and are numbered west to east, north to south. The grids go to the output layer, the quality report (grids in band, households per grid, compactness, boundary on roads, cut buildings, gaps and overlaps, and why a band cannot be met) to an HTML file.

Minimum/maximum households: the band for this division (empty: the project's band for residential grids).
Number of grids: a hint; the nearest number the band allows is used.
Respect overlays: grids do not cross these boundaries (police areas, school districts, …).
Grids to keep: codes of existing grids kept exactly as they are, separated by commas.
Write into the project: off by default — nothing is written and the project is unchanged. When on, the division replaces the community's grids in one transaction; the grids it replaces are kept in the project's history (gridgis divide --restore puts them back) and buildings and totals are linked again.</source>
        <translation>把 GridGIS 项目中的一个社区划分为责任网格:每个网格的户数在户数范围内,有道路处沿道路划分,不切割建筑,网格按自西向东、自北向南编号。网格写入输出图层,质量报告(范围内网格数、每格户数、紧凑度、沿道路边界比例、被切割的建筑、空隙与重叠,以及无法满足户数范围的原因)写入 HTML 文件。

每格最少/最多户数:本次划分的户数范围(留空:项目中居民网格的户数范围)。
网格数量:参考值;采用户数范围允许的最接近的数量。
遵循专题区划:网格不跨越这些边界(警务区、学区等)。
保留的网格:原样保留的现有网格编码,以逗号分隔。
写入项目:默认关闭——不写入任何内容,项目保持不变。打开时,划分结果在一个事务中替换该社区的网格;被替换的网格保存在项目的历史记录中(gridgis divide --restore 可恢复),并重新关联建筑与汇总户数。</translation>
    </message>
    <message>
        <location filename="../divide.py" line="109"/>
        <source>Community code (12 digits)</source>
        <translation>社区编码(12 位)</translation>
    </message>
    <message>
        <location filename="../divide.py" line="112"/>
        <source>Minimum households per grid</source>
        <translation>每格最少户数</translation>
    </message>
    <message>
        <location filename="../divide.py" line="112"/>
        <source>Maximum households per grid</source>
        <translation>每格最多户数</translation>
    </message>
    <message>
        <location filename="../divide.py" line="125"/>
        <source>Number of grids (a hint)</source>
        <translation>网格数量(参考值)</translation>
    </message>
    <message>
        <location filename="../divide.py" line="134"/>
        <source>Respect overlays</source>
        <translation>遵循专题区划</translation>
    </message>
    <message>
        <location filename="../divide.py" line="144"/>
        <source>Grids to keep (codes, separated by commas)</source>
        <translation>保留的网格(编码,以逗号分隔)</translation>
    </message>
    <message>
        <location filename="../divide.py" line="151"/>
        <source>Keep schools and hospitals as unit grids</source>
        <translation>学校、医院保留为单位网格</translation>
    </message>
    <message>
        <location filename="../divide.py" line="158"/>
        <source>Write into the project</source>
        <translation>写入项目</translation>
    </message>
    <message>
        <location filename="../divide.py" line="176"/>
        <source>Grids</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../divide.py" line="168"/>
        <source>Quality report</source>
        <translation>质量报告</translation>
    </message>
    <message>
        <location filename="../divide.py" line="168"/>
        <source>HTML files (*.html)</source>
        <translation>HTML 文件 (*.html)</translation>
    </message>
    <message>
        <location filename="../divide.py" line="175"/>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <location filename="../divide.py" line="177"/>
        <source>Residential grids in band</source>
        <translation>户数在范围内的居民网格</translation>
    </message>
    <message>
        <location filename="../divide.py" line="182"/>
        <source>Revision written (0: not written)</source>
        <translation>写入的版本号(0:未写入)</translation>
    </message>
    <message>
        <location filename="../divide.py" line="237"/>
        <source>Give the code of the community to divide (12 digits).</source>
        <translation>请填写要划分的社区编码(12 位)。</translation>
    </message>
    <message>
        <location filename="../divide.py" line="254"/>
        <source>Cancelled; nothing was written.</source>
        <translation>已取消,未写入任何内容。</translation>
    </message>
    <message>
        <location filename="../divide.py" line="282"/>
        <source>Written into the project as revision {revision}.</source>
        <translation>已写入项目,版本号 {revision}。</translation>
    </message>
    <message>
        <location filename="../divide.py" line="288"/>
        <source>Nothing was written into the project.</source>
        <translation>未向项目写入任何内容。</translation>
    </message>
</context>
<context>
    <name>ExportAlgorithm</name>
    <message>
        <location filename="../export.py" line="46"/>
        <source>Export shapefile bundles</source>
        <translation>导出 Shapefile 数据包</translation>
    </message>
    <message>
        <location filename="../export.py" line="49"/>
        <source>Exports layers of a GridGIS project as shapefiles in zip bundles, ready for the city platform and ArcGIS: one zip per community (the community, its street, grids, buildings and facilities inside it, roads and overlays touching it, the staff of its grids), one per street, or one for the whole project. Every shapefile has its .cpg (encoding) and .prj (coordinate system); field names are the short ASCII names of the schema and aliases.csv gives their Chinese and English names. Tables (staff, assignments) are written as .dbf files.

Coordinate system: the project's CGCS2000 Gauss–Krüger zone, CGCS2000 or WGS 84 longitude/latitude, or GCJ-02 (Amap, Tencent) / BD-09 (Baidu) for web maps.
Encoding: UTF-8, or GBK for ArcMap 10.2 and older.
Leave out personal data: no phone numbers or photos.
Output folder: the bundles are written into it; it must be empty unless replacing existing files is allowed.</source>
        <translation>把 GridGIS 项目的图层导出为 Shapefile 并打成 zip 数据包,可直接交给市级平台和 ArcGIS:每个社区一个 zip(社区本身、所属街道、社区内的网格、建筑和设施、与之相交的道路和专题区划、各网格的工作人员),或每个街道一个,或整个项目一个。每个 Shapefile 都带 .cpg(编码)和 .prj(坐标系);字段名为数据结构中不超过 10 个字符的英文短名,aliases.csv 给出对应的中英文名称。表格(工作人员、岗位分配)写为 .dbf 文件。

坐标系:项目的 CGCS2000 高斯–克吕格投影带、CGCS2000 或 WGS 84 经纬度,或网页地图用的 GCJ-02(高德、腾讯)/BD-09(百度)。
编码:UTF-8,或供 ArcMap 10.2 及更早版本使用的 GBK。
不含个人信息:不导出电话号码和照片。
输出文件夹:数据包写入其中;除非允许覆盖已有文件,该文件夹须为空。</translation>
    </message>
    <message>
        <location filename="../export.py" line="70"/>
        <source>Layers (empty: all)</source>
        <translation>图层(留空:全部)</translation>
    </message>
    <message>
        <location filename="../export.py" line="80"/>
        <source>Bundles</source>
        <translation>数据包</translation>
    </message>
    <message>
        <location filename="../export.py" line="80"/>
        <source>one zip per community</source>
        <translation>每个社区一个 zip</translation>
    </message>
    <message>
        <location filename="../export.py" line="80"/>
        <source>one zip per street</source>
        <translation>每个街道一个 zip</translation>
    </message>
    <message>
        <location filename="../export.py" line="80"/>
        <source>one zip for the whole project</source>
        <translation>整个项目一个 zip</translation>
    </message>
    <message>
        <location filename="../export.py" line="92"/>
        <source>Coordinate system</source>
        <translation>坐标系</translation>
    </message>
    <message>
        <location filename="../export.py" line="92"/>
        <source>project (CGCS2000 Gauss–Krüger zone)</source>
        <translation>项目坐标系(CGCS2000 高斯–克吕格投影带)</translation>
    </message>
    <message>
        <location filename="../export.py" line="92"/>
        <source>CGCS2000 longitude/latitude (EPSG:4490)</source>
        <translation>CGCS2000 经纬度(EPSG:4490)</translation>
    </message>
    <message>
        <location filename="../export.py" line="92"/>
        <source>WGS 84 longitude/latitude (EPSG:4326)</source>
        <translation>WGS 84 经纬度(EPSG:4326)</translation>
    </message>
    <message>
        <location filename="../export.py" line="92"/>
        <source>GCJ-02 (Amap, Tencent)</source>
        <translation>GCJ-02(高德、腾讯)</translation>
    </message>
    <message>
        <location filename="../export.py" line="92"/>
        <source>BD-09 (Baidu)</source>
        <translation>BD-09(百度)</translation>
    </message>
    <message>
        <location filename="../export.py" line="106"/>
        <source>Encoding</source>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../export.py" line="114"/>
        <source>Leave out personal data (phones, photos)</source>
        <translation>不含个人信息(电话、照片)</translation>
    </message>
    <message>
        <location filename="../export.py" line="121"/>
        <source>Replace existing files in the output folder</source>
        <translation>覆盖输出文件夹中已有的文件</translation>
    </message>
    <message>
        <location filename="../export.py" line="128"/>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <location filename="../export.py" line="133"/>
        <source>Zip files</source>
        <translation>zip 文件数</translation>
    </message>
</context>
<context>
    <name>GridGisAlgorithm</name>
    <message>
        <location filename="../base.py" line="167"/>
        <source>Check and link</source>
        <translation>检查与关联</translation>
    </message>
    <message>
        <location filename="../base.py" line="168"/>
        <source>Division</source>
        <translation>网格划分</translation>
    </message>
    <message>
        <location filename="../base.py" line="169"/>
        <source>Deliver</source>
        <translation>成果输出</translation>
    </message>
    <message>
        <location filename="../base.py" line="180"/>
        <source>GridGIS project (.gpkg file, or database: postgresql://user@host/database or service=NAME)</source>
        <translation>GridGIS 项目(.gpkg 文件,或数据库:postgresql://用户@主机/数据库 或 service=服务名)</translation>
    </message>
    <message>
        <location filename="../base.py" line="180"/>
        <source>GridGIS project (*.gpkg)</source>
        <translation>GridGIS 项目 (*.gpkg)</translation>
    </message>
</context>
<context>
    <name>GridGisProvider</name>
    <message>
        <location filename="../provider.py" line="43"/>
        <source>GridGIS community grid management {version}</source>
        <translation>GridGIS 社区网格化服务管理 {version}</translation>
    </message>
</context>
<context>
    <name>LinkAlgorithm</name>
    <message>
        <location filename="../link.py" line="35"/>
        <source>Link buildings and facilities</source>
        <translation>关联建筑与设施</translation>
    </message>
    <message>
        <location filename="../link.py" line="38"/>
        <source>Assigns every building and facility of a GridGIS project to the grid it stands in and writes its grid code, then rolls households and population up to grids, communities and streets — all in one transaction, so the project file is either fully updated or left as it was. A building belongs to the grid that holds a point inside its footprint.

Community: link only this community (12-digit code); empty links the whole project.
Pair AB posts: give every unpaired grid an adjacent AB partner (pairs already set are kept).

The log lists the buildings cut by a grid boundary and those where grids overlap. Outputs: the project file (to chain algorithms in a model) and the number of buildings and facilities whose grid code changed.</source>
        <translation>把 GridGIS 项目中的每栋建筑和每个设施归入其所在的网格并写入网格编码,再把户数和人口逐级汇总到网格、社区和街道——全部在一个事务中完成,项目文件要么全部更新,要么保持原样。建筑归属于包含其轮廓内部一点的网格。

社区:只关联这个社区(12 位编码);留空则关联整个项目。
AB 岗结对:为每个尚未结对的网格指定一个相邻的 AB 岗网格(已有的结对保留)。

日志列出被网格边界切割的建筑和位于网格重叠处的建筑与设施。输出:项目文件(用于在模型中串联算法),以及网格编码发生变化的建筑和设施数量。</translation>
    </message>
    <message>
        <location filename="../link.py" line="55"/>
        <source>Community code (empty: the whole project)</source>
        <translation>社区编码(留空:整个项目)</translation>
    </message>
    <message>
        <location filename="../link.py" line="59"/>
        <source>Pair grids for AB posts</source>
        <translation>AB 岗网格结对</translation>
    </message>
    <message>
        <location filename="../link.py" line="64"/>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <location filename="../link.py" line="65"/>
        <source>Buildings relinked</source>
        <translation>重新关联的建筑</translation>
    </message>
    <message>
        <location filename="../link.py" line="68"/>
        <source>Facilities relinked</source>
        <translation>重新关联的设施</translation>
    </message>
    <message>
        <location filename="../link.py" line="71"/>
        <source>Buildings cut</source>
        <translation>被切割的建筑</translation>
    </message>
    <message>
        <location filename="../link.py" line="72"/>
        <source>Buildings and facilities in several grids</source>
        <translation>位于多个网格中的建筑与设施</translation>
    </message>
    <message>
        <location filename="../link.py" line="96"/>
        <source>Wrote the grid code of {buildings} buildings and {facilities} facilities; households and population of {grids} grids, {communities} communities and {streets} streets.</source>
        <translation>已写入:{buildings} 个建筑、{facilities} 个设施的所属网格;{grids} 个网格、{communities} 个社区、{streets} 个街道的户数与人口。</translation>
    </message>
    <message>
        <location filename="../link.py" line="110"/>
        <source>Building {id} is cut: it belongs to {grid} and reaches into {other}</source>
        <translation>建筑 {id} 被网格边界切割:属于 {grid},伸入 {other}</translation>
    </message>
    <message>
        <location filename="../link.py" line="117"/>
        <source>{id} lies where grids overlap</source>
        <translation>{id} 位于重叠的网格中</translation>
    </message>
    <message>
        <location filename="../link.py" line="121"/>
        <source>AB pairs: kept {kept}, made {made}; {unpaired} grids have no free neighbour.</source>
        <translation>AB 岗结对:保留 {kept} 对,新结 {made} 对,{unpaired} 个网格无相邻网格可结对。</translation>
    </message>
</context>
<context>
    <name>ValidateAlgorithm</name>
    <message>
        <location filename="../validate.py" line="41"/>
        <source>Validate project</source>
        <translation>检查项目</translation>
    </message>
    <message>
        <location filename="../validate.py" line="44"/>
        <source>Checks a GridGIS project against every rule of the grid system: geometry, topology (gaps and overlaps between the grids of a community), household bands, buildings and facilities in exactly one grid, staffing, codes and shape. Each finding becomes a feature of the output layer with its rule, severity, code and a message in Chinese and English that says what to do; findings without a place have no geometry.

Community: check only this community (12-digit code); empty checks the whole project. Communities without grids are not yet divided and are not checked.
Link first: write the grid codes of buildings and facilities and the household totals into the project before checking (the project file is changed).
Store the findings in the project: replace the project&apos;s issues layer with these findings (the project file is changed).

The algorithm succeeds whatever it finds; the outputs ERRORS and WARNINGS count the findings.</source>
        <translation>按网格化管理的全部规则检查 GridGIS 项目:几何、拓扑(社区内网格之间的空隙与重叠)、户数范围、建筑与设施恰好属于一个网格、人员配备、编码和形状。每条问题成为输出图层中的一个要素,带有规则、严重程度、编码以及说明如何处理的中英文信息;没有位置的问题不带几何。

社区:只检查这个社区(12 位编码);留空则检查整个项目。没有网格的社区尚未划分,不检查。
先关联建筑与设施:检查前把建筑和设施的网格编码以及户数汇总写入项目(会修改项目文件)。
把问题保存到项目:用本次发现的问题替换项目的问题图层(会修改项目文件)。

无论发现什么问题,算法都会成功完成;输出 ERRORS 和 WARNINGS 给出错误和警告的数量。</translation>
    </message>
    <message>
        <location filename="../validate.py" line="65"/>
        <source>Community code (empty: the whole project)</source>
        <translation>社区编码(留空:整个项目)</translation>
    </message>
    <message>
        <location filename="../validate.py" line="69"/>
        <source>Link buildings and facilities first (writes the project)</source>
        <translation>先关联建筑与设施(写入项目)</translation>
    </message>
    <message>
        <location filename="../validate.py" line="76"/>
        <source>Store the findings in the project&apos;s issues layer</source>
        <translation>把问题保存到项目的问题图层</translation>
    </message>
    <message>
        <location filename="../validate.py" line="83"/>
        <source>Issues</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../validate.py" line="88"/>
        <source>Errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../validate.py" line="89"/>
        <source>Warnings</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../validate.py" line="147"/>
        <source>{errors} errors, {warnings} warnings; {undivided} communities not yet divided.</source>
        <translation>{errors} 个错误,{warnings} 个警告;{undivided} 个社区尚未划分网格。</translation>
    </message>
    <message>
        <location filename="../validate.py" line="142"/>
        <source>… and {more} more findings in the output layer.</source>
        <translation>……另有 {more} 条问题,见输出图层。</translation>
    </message>
</context>
</TS>
