<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>@default</name>
    <message>
        <location filename="../window.py" line="532"/>
        <source>New project</source>
        <translation>新建项目</translation>
    </message>
    <message>
        <location filename="../dialogs/new_project.py" line="39"/>
        <source>CGCS2000 / 3-degree Gauss–Krüger CM {cm}°E (EPSG:{epsg})</source>
        <translation>CGCS2000 / 3 度带高斯-克吕格 中央经线 {cm}°E (EPSG:{epsg})</translation>
    </message>
    <message>
        <location filename="../dialogs/new_project.py" line="50"/>
        <source>Create…</source>
        <translation>创建…</translation>
    </message>
    <message>
        <location filename="../window.py" line="608"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../dialogs/new_project.py" line="56"/>
        <source>County code (GB/T 2260)</source>
        <translation>区县代码(GB/T 2260)</translation>
    </message>
    <message>
        <location filename="../dialogs/new_project.py" line="57"/>
        <source>Coordinate system</source>
        <translation>坐标系</translation>
    </message>
    <message>
        <location filename="../dialogs/new_project.py" line="58"/>
        <source>Staff roles</source>
        <translation>岗位设置</translation>
    </message>
    <message>
        <location filename="../dialogs/new_project.py" line="59"/>
        <source>Grid codes start with the county code; choose the zone whose central meridian is nearest to your district.</source>
        <translation>网格编码以区县代码开头;请选择中央经线离辖区最近的投影带。</translation>
    </message>
    <message>
        <location filename="../dialogs/preferences.py" line="25"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../dialogs/preferences.py" line="27"/>
        <source>System language</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../dialogs/preferences.py" line="33"/>
        <source>The new language is used the next time GridGIS starts.</source>
        <translation>新的界面语言将在下次启动 GridGIS 时生效。</translation>
    </message>
    <message>
        <location filename="../dialogs/preferences.py" line="36"/>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <location filename="../dialogs/preferences.py" line="41"/>
        <source>Language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <location filename="../dialogs/staff_picker.py" line="42"/>
        <source>Assign staff</source>
        <translation>指派人员</translation>
    </message>
    <message>
        <location filename="../dialogs/staff_picker.py" line="44"/>
        <source>Search by name, ID or organisation…</source>
        <translation>按姓名、编号或单位搜索…</translation>
    </message>
    <message>
        <location filename="../dialogs/staff_picker.py" line="55"/>
        <source>AB backup (covers the partner grid)</source>
        <translation>AB 岗替补(负责结对网格)</translation>
    </message>
    <message>
        <location filename="../dialogs/staff_picker.py" line="57"/>
        <source>Assign</source>
        <translation>指派</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="105"/>
        <source>Role</source>
        <translation>岗位</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="105"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="117"/>
        <source>Households</source>
        <translation>户数</translation>
    </message>
    <message>
        <location filename="../docks/hierarchy.py" line="210"/>
        <source>Hierarchy</source>
        <translation>网格层级</translation>
    </message>
    <message>
        <location filename="../docks/hierarchy.py" line="221"/>
        <source>Find a street, community or grid…</source>
        <translation>查找街道、社区或网格…</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="160"/>
        <source>Select a grid on the map or in the hierarchy.</source>
        <translation>请在地图或层级树中选择一个网格。</translation>
    </message>
    <message>
        <location filename="../docks/validation.py" line="120"/>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="100"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="102"/>
        <source>Population</source>
        <translation>人口</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="103"/>
        <source>AB partner</source>
        <translation>AB 岗网格</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="105"/>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="106"/>
        <source>Assign…</source>
        <translation>指派…</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="107"/>
        <source>Remove</source>
        <translation>撤下</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="117"/>
        <source>Building</source>
        <translation>建筑</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="117"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="118"/>
        <source>Facility</source>
        <translation>设施</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="118"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="120"/>
        <source>Staff</source>
        <translation>人员</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="121"/>
        <source>Buildings</source>
        <translation>建筑</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="122"/>
        <source>Facilities</source>
        <translation>设施</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="185"/>
        <source>in band</source>
        <translation>在范围内</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="186"/>
        <source>under band</source>
        <translation>户数不足</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="187"/>
        <source>over band</source>
        <translation>户数超限</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="188"/>
        <source>not counted</source>
        <translation>未统计</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="191"/>
        <source>{households} (band {low}–{high}, {status})</source>
        <translation>{households} 户(范围 {low}–{high},{status})</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="239"/>
        <source>(none)</source>
        <translation>(无)</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="392"/>
        <source>Grid inspector</source>
        <translation>网格详情</translation>
    </message>
    <message>
        <location filename="../tools/edit_tools.py" line="43"/>
        <source>Draw the line across a grid, from edge to edge.</source>
        <translation>请从网格的一条边到另一条边画线穿过网格。</translation>
    </message>
    <message>
        <location filename="../tools/edit_tools.py" line="59"/>
        <source>Select the grid to reshape, then draw from its boundary and back.</source>
        <translation>请先选择要修整的网格,再从其边界出发画线并回到边界。</translation>
    </message>
    <message>
        <location filename="../tools/edit_tools.py" line="80"/>
        <source>Draw the new grid inside a community.</source>
        <translation>请在社区范围内绘制新网格。</translation>
    </message>
    <message>
        <location filename="../tools/edit_tools.py" line="119"/>
        <source>Press on a building and drag it onto the neighbouring grid.</source>
        <translation>请按住一栋建筑并拖到相邻网格上。</translation>
    </message>
    <message>
        <location filename="../tools/edit_tools.py" line="127"/>
        <source>Drop the building on a grid.</source>
        <translation>请把建筑拖放到一个网格上。</translation>
    </message>
    <message>
        <location filename="../tools/edit_tools.py" line="141"/>
        <source>Select two or more neighbouring grids to merge.</source>
        <translation>请选择两个或以上相邻网格进行合并。</translation>
    </message>
    <message>
        <location filename="../window.py" line="133"/>
        <source>Layers</source>
        <translation>图层</translation>
    </message>
    <message>
        <location filename="../window.py" line="194"/>
        <source>&amp;New project…</source>
        <translation>新建项目(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../window.py" line="198"/>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../window.py" line="202"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location filename="../window.py" line="202"/>
        <source>Mark the current state as saved (edits are written at once)</source>
        <translation>将当前状态标记为已保存(修改会立即写入文件)</translation>
    </message>
    <message>
        <location filename="../window.py" line="207"/>
        <source>Save &amp;as…</source>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../window.py" line="223"/>
        <source>Se&amp;ttings…</source>
        <translation>设置(&amp;T)…</translation>
    </message>
    <message>
        <location filename="../window.py" line="226"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../window.py" line="230"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location filename="../window.py" line="233"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location filename="../window.py" line="238"/>
        <source>&amp;Merge selected grids</source>
        <translation>合并所选网格(&amp;M)</translation>
    </message>
    <message>
        <location filename="../window.py" line="238"/>
        <source>Merge the neighbouring grids selected on the map into one</source>
        <translation>将地图上选中的相邻网格合并为一个</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>&amp;Pan</source>
        <translation>平移(&amp;P)</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>Drag the map</source>
        <translation>拖动地图</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>Zoom &amp;in</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>Click or drag a box to zoom in</source>
        <translation>单击或拉框放大</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>Zoom &amp;out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>Click to zoom out</source>
        <translation>单击缩小</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>&amp;Identify</source>
        <translation>识别(&amp;I)</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>Click a feature to see its attributes</source>
        <translation>单击要素查看属性</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>&amp;Select grids</source>
        <translation>选择网格(&amp;S)</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>Click a grid; Shift-click adds or removes</source>
        <translation>单击选择网格;按住 Shift 单击可增减</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>S&amp;plit grid</source>
        <translation>拆分网格(&amp;P)</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>Draw a line across a grid; right click finishes</source>
        <translation>画一条穿过网格的线;右键结束</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>&amp;Reshape boundary</source>
        <translation>修整边界(&amp;R)</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>Draw from a grid&apos;s boundary out and back; right click finishes</source>
        <translation>从网格边界出发画线再回到边界;右键结束</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>&amp;Draw new grid</source>
        <translation>绘制新网格(&amp;D)</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>Click the corners of the new grid; right click finishes</source>
        <translation>依次单击新网格的拐点;右键结束</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>Move &amp;building</source>
        <translation>移动建筑(&amp;B)</translation>
    </message>
    <message>
        <location filename="../window.py" line="246"/>
        <source>Drag a building onto the neighbouring grid</source>
        <translation>把建筑拖到相邻网格</translation>
    </message>
    <message>
        <location filename="../window.py" line="268"/>
        <source>Zoom to &amp;project</source>
        <translation>缩放到全图(&amp;F)</translation>
    </message>
    <message>
        <location filename="../window.py" line="272"/>
        <source>&amp;About GridGIS</source>
        <translation>关于 GridGIS(&amp;A)</translation>
    </message>
    <message>
        <location filename="../window.py" line="276"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../window.py" line="279"/>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../window.py" line="296"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../window.py" line="307"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../window.py" line="312"/>
        <source>&amp;Panels</source>
        <translation>面板(&amp;P)</translation>
    </message>
    <message>
        <location filename="../window.py" line="315"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../window.py" line="323"/>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <location filename="../window.py" line="328"/>
        <source>Map</source>
        <translation>地图</translation>
    </message>
    <message>
        <location filename="../window.py" line="336"/>
        <source>Editing</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location filename="../window.py" line="510"/>
        <source>Open project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <location filename="../window.py" line="552"/>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <location filename="../window.py" line="560"/>
        <source>Save project as</source>
        <translation>项目另存为</translation>
    </message>
    <message>
        <location filename="../window.py" line="593"/>
        <source>The edits since the last save can no longer be undone; they stay in the file.</source>
        <translation>上次保存后的修改已无法撤销,将保留在文件中。</translation>
    </message>
    <message>
        <location filename="../window.py" line="604"/>
        <source>The project has edits that were not saved.</source>
        <translation>项目有尚未保存的修改。</translation>
    </message>
    <message>
        <location filename="../window.py" line="605"/>
        <source>Save keeps them; Discard undoes them in the file.</source>
        <translation>“保存”保留这些修改;“放弃”将在文件中撤销它们。</translation>
    </message>
    <message>
        <location filename="../window.py" line="606"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../window.py" line="607"/>
        <source>Discard</source>
        <translation>放弃</translation>
    </message>
    <message>
        <location filename="../window.py" line="661"/>
        <source>About GridGIS</source>
        <translation>关于 GridGIS</translation>
    </message>
    <message>
        <location filename="../window.py" line="661"/>
        <source>&lt;b&gt;GridGIS {version}&lt;/b&gt;&lt;br&gt;Community grid management: divide communities into responsibility grids, keep every grid in its household band, print grid boards.</source>
        <translation>&lt;b&gt;GridGIS {version}&lt;/b&gt;&lt;br&gt;社区网格化服务管理:将社区划分为责任网格,使每个网格户数保持在范围内,打印网格公示牌。</translation>
    </message>
    <message>
        <location filename="../window.py" line="730"/>
        <source>Edits since the last save</source>
        <translation>上次保存后有修改</translation>
    </message>
    <message>
        <location filename="../window.py" line="730"/>
        <source>No edits since the last save</source>
        <translation>上次保存后无修改</translation>
    </message>
    <message>
        <location filename="../window.py" line="560"/>
        <source>GridGIS project (*.gpkg)</source>
        <translation>GridGIS 项目 (*.gpkg)</translation>
    </message>
    <message>
        <location filename="../dialogs/divide.py" line="206"/>
        <source>Divide {name}</source>
        <translation>自动划分{name}</translation>
    </message>
    <message>
        <location filename="../dialogs/divide.py" line="98"/>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../dialogs/divide.py" line="99"/>
        <source>Schools and hospitals become unit grids</source>
        <translation>学校、医院单独划为单位网格</translation>
    </message>
    <message>
        <location filename="../dialogs/divide.py" line="113"/>
        <source>Keep the {n} selected grids as they are</source>
        <translation>保留所选的 {n} 个网格不变</translation>
    </message>
    <message>
        <location filename="../dialogs/divide.py" line="123"/>
        <source>Options</source>
        <translation>选项</translation>
    </message>
    <message>
        <location filename="../dialogs/divide.py" line="125"/>
        <source>Households per grid</source>
        <translation>每格户数</translation>
    </message>
    <message>
        <location filename="../dialogs/divide.py" line="126"/>
        <source>Number of grids</source>
        <translation>网格数量</translation>
    </message>
    <message>
        <location filename="../dialogs/divide.py" line="127"/>
        <source>Respect boundaries of</source>
        <translation>不跨越以下区划边界</translation>
    </message>
    <message>
        <location filename="../dialogs/divide.py" line="136"/>
        <source>Press Divide: the quality report of the proposed grids appears here.</source>
        <translation>点击“划分”,方案的质量报告将显示在这里。</translation>
    </message>
    <message>
        <location filename="../dialogs/divide.py" line="139"/>
        <source>Divide</source>
        <translation>划分</translation>
    </message>
    <message>
        <location filename="../dialogs/divide.py" line="140"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../dialogs/divide.py" line="141"/>
        <source>Accept division</source>
        <translation>采用此方案</translation>
    </message>
    <message>
        <location filename="../dialogs/divide.py" line="142"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../dialogs/divide.py" line="202"/>
        <source>Dividing {name}…</source>
        <translation>正在划分{name}…</translation>
    </message>
    <message>
        <location filename="../dialogs/divide.py" line="238"/>
        <source>Stopped; nothing was changed.</source>
        <translation>已停止,未做任何修改。</translation>
    </message>
    <message>
        <location filename="../window.py" line="263"/>
        <source>&amp;Divide this community…</source>
        <translation>自动划分本社区(&amp;D)…</translation>
    </message>
    <message>
        <location filename="../window.py" line="263"/>
        <source>Divide the selected community into grids automatically</source>
        <translation>将所选社区自动划分为网格</translation>
    </message>
    <message>
        <location filename="../window.py" line="487"/>
        <source>Select a community in the hierarchy or on the map first.</source>
        <translation>请先在层级树或地图上选择一个社区。</translation>
    </message>
    <message>
        <location filename="../docks/inspector.py" line="267"/>
        <source>{role} (AB backup)</source>
        <translation>{role}(AB 岗替补)</translation>
    </message>
    <message>
        <location filename="../window.py" line="211"/>
        <source>&amp;Import…</source>
        <translation>导入(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../window.py" line="211"/>
        <source>Import buildings, staff or other layers from a file</source>
        <translation>从文件导入建筑、人员或其他图层</translation>
    </message>
    <message>
        <location filename="../window.py" line="215"/>
        <source>&amp;Export…</source>
        <translation>导出(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../window.py" line="215"/>
        <source>Export the project as shapefiles, GeoPackage, GeoJSON or Excel</source>
        <translation>将项目导出为 Shapefile、GeoPackage、GeoJSON 或 Excel</translation>
    </message>
    <message>
        <location filename="../docks/validation.py" line="120"/>
        <source>Severity</source>
        <translation>严重程度</translation>
    </message>
    <message>
        <location filename="../docks/validation.py" line="120"/>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <location filename="../docks/validation.py" line="120"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../docks/validation.py" line="218"/>
        <source>Checks</source>
        <translation>质量检查</translation>
    </message>
    <message>
        <location filename="../docks/validation.py" line="228"/>
        <source>Check all</source>
        <translation>全部检查</translation>
    </message>
    <message>
        <location filename="../docks/validation.py" line="229"/>
        <source>Check the whole file against every rule</source>
        <translation>按全部规则检查整个文件</translation>
    </message>
    <message>
        <location filename="../docks/validation.py" line="231"/>
        <source>Whole file</source>
        <translation>整个文件</translation>
    </message>
    <message>
        <location filename="../docks/validation.py" line="232"/>
        <source>Community in view</source>
        <translation>视图中的社区</translation>
    </message>
    <message>
        <location filename="../docks/validation.py" line="234"/>
        <source>Errors and warnings</source>
        <translation>错误和警告</translation>
    </message>
    <message>
        <location filename="../docks/validation.py" line="238"/>
        <source>All rules</source>
        <translation>全部规则</translation>
    </message>
    <message>
        <location filename="../docks/validation.py" line="319"/>
        <source>Check {name}</source>
        <translation>检查 {name}</translation>
    </message>
    <message>
        <location filename="../docks/validation.py" line="328"/>
        <source>Checking the whole file…</source>
        <translation>正在检查整个文件…</translation>
    </message>
    <message>
        <location filename="../docks/validation.py" line="394"/>
        <source>{errors} errors, {warnings} warnings</source>
        <translation>{errors} 个错误,{warnings} 个警告</translation>
    </message>
    <message>
        <location filename="../window.py" line="219"/>
        <source>&amp;Print boards…</source>
        <translation>打印网格公示牌(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../window.py" line="219"/>
        <source>Print the grid boards, service cards and overview maps as PDF</source>
        <translation>将网格公示牌、便民服务卡和总览图打印为 PDF</translation>
    </message>
</context>
</TS>
