"""Enumerations of the grid-management domain, each member documented.

Every enumeration is a ``str`` enum whose value is what the project file stores; the
``label`` of a member is its user-visible name in Chinese and English.
"""

from __future__ import annotations

from enum import Enum

from gridgis.core.i18n import Text


class LabelledEnum(str, Enum):
    """A stored string value with a bilingual label."""

    @property
    def label(self) -> Text:
        """The member's user-visible name."""
        return _LABELS[type(self), self.value]

    def __str__(self) -> str:
        return str(self.value)


class Level(LabelledEnum):
    """The three levels of the grid system."""

    STREET = "street"
    """Street office (街道), the first-level grid."""
    COMMUNITY = "community"
    """Community (社区), the second-level grid."""
    GRID = "grid"
    """Responsibility grid (责任网格), the third level."""


class GridKind(LabelledEnum):
    """Kinds of responsibility grid; each kind has its own household band."""

    RESIDENTIAL = "residential"
    """A residential area is the main body (居民网格)."""
    UNIT = "unit"
    """A school, hospital, market or enterprise with a clear boundary (单位网格)."""
    SPECIAL = "special"
    """A dedicated grid named by local standards (专属网格)."""


class Severity(LabelledEnum):
    """How serious a validation finding is."""

    ERROR = "error"
    """The map breaks a rule and must be fixed."""
    WARNING = "warning"
    """The map is allowed but worth a look."""


class BuildingUse(LabelledEnum):
    """What a building is used for."""

    RESIDENTIAL = "residential"
    """Homes (住宅)."""
    MIXED = "mixed"
    """Shops below, homes above (商住)."""
    COMMERCIAL = "commercial"
    """Shops and markets (商业)."""
    OFFICE = "office"
    """Offices (办公)."""
    EDUCATION = "education"
    """Schools and kindergartens (教育)."""
    MEDICAL = "medical"
    """Hospitals and clinics (医疗)."""
    PUBLIC = "public"
    """Public services (公共服务)."""
    INDUSTRIAL = "industrial"
    """Workshops and warehouses (工业)."""


class FacilityCategory(LabelledEnum):
    """Categories of facility points; each has its own map symbol."""

    SCHOOL = "school"
    """Primary or middle school (学校)."""
    KINDERGARTEN = "kindergarten"
    """Kindergarten (幼儿园)."""
    HOSPITAL = "hospital"
    """Hospital (医院)."""
    CLINIC = "clinic"
    """Community health service station (卫生服务站)."""
    MARKET = "market"
    """Market or supermarket (市场)."""
    POLICE = "police"
    """Police post (警务室)."""
    PARK = "park"
    """Park or square (公园)."""
    SERVICE_STATION = "service_station"
    """Community service station (社区服务站)."""
    ELDERLY_CARE = "elderly_care"
    """Day-care centre for the elderly (养老服务站)."""
    FIRE = "fire"
    """Mini fire station (微型消防站)."""


class RoadClass(LabelledEnum):
    """Road classes; division cuts along roads, arterials first."""

    ARTERIAL = "arterial"
    """Arterial road (主干路)."""
    SECONDARY = "secondary"
    """Secondary road (次干路)."""
    LOCAL = "local"
    """Local road (支路)."""
    ALLEY = "alley"
    """Lane or alley inside an estate (街巷)."""


class OverlayKind(LabelledEnum):
    """Divisions of other services that grid boundaries should respect."""

    POLICE = "police"
    """Police and household-registration area (警务区)."""
    SCHOOL = "school"
    """Primary school district (学区)."""
    PROPERTY = "property"
    """Property management area (物业管理区)."""
    SANITATION = "sanitation"
    """Sanitation and urban-management area (环卫责任区)."""
    HEALTH = "health"
    """Community health service area (卫生服务区)."""
    RESIDENTS_GROUP = "residents_group"
    """Residents' group or party branch (居民小组)."""


#: Labels by (enumeration, value): members of different enumerations can share a
#: value (a residential grid and a residential building), so members cannot be keys.
_LABELS: dict[tuple[type[Enum], str], Text] = {
    (type(member), member.value): text
    for member, text in (
        (Level.STREET, Text("街道", "street")),
        (Level.COMMUNITY, Text("社区", "community")),
        (Level.GRID, Text("网格", "grid")),
        (GridKind.RESIDENTIAL, Text("居民网格", "residential grid")),
        (GridKind.UNIT, Text("单位网格", "unit grid")),
        (GridKind.SPECIAL, Text("专属网格", "special grid")),
        (Severity.ERROR, Text("错误", "error")),
        (Severity.WARNING, Text("警告", "warning")),
        (BuildingUse.RESIDENTIAL, Text("住宅", "residential")),
        (BuildingUse.MIXED, Text("商住", "mixed use")),
        (BuildingUse.COMMERCIAL, Text("商业", "commercial")),
        (BuildingUse.OFFICE, Text("办公", "office")),
        (BuildingUse.EDUCATION, Text("教育", "education")),
        (BuildingUse.MEDICAL, Text("医疗", "medical")),
        (BuildingUse.PUBLIC, Text("公共服务", "public service")),
        (BuildingUse.INDUSTRIAL, Text("工业", "industrial")),
        (FacilityCategory.SCHOOL, Text("学校", "school")),
        (FacilityCategory.KINDERGARTEN, Text("幼儿园", "kindergarten")),
        (FacilityCategory.HOSPITAL, Text("医院", "hospital")),
        (FacilityCategory.CLINIC, Text("卫生服务站", "health station")),
        (FacilityCategory.MARKET, Text("市场", "market")),
        (FacilityCategory.POLICE, Text("警务室", "police post")),
        (FacilityCategory.PARK, Text("公园", "park")),
        (FacilityCategory.SERVICE_STATION, Text("社区服务站", "service station")),
        (FacilityCategory.ELDERLY_CARE, Text("养老服务站", "elderly care")),
        (FacilityCategory.FIRE, Text("微型消防站", "fire post")),
        (RoadClass.ARTERIAL, Text("主干路", "arterial road")),
        (RoadClass.SECONDARY, Text("次干路", "secondary road")),
        (RoadClass.LOCAL, Text("支路", "local road")),
        (RoadClass.ALLEY, Text("街巷", "alley")),
        (OverlayKind.POLICE, Text("警务区", "police area")),
        (OverlayKind.SCHOOL, Text("学区", "school district")),
        (OverlayKind.PROPERTY, Text("物业管理区", "property area")),
        (OverlayKind.SANITATION, Text("环卫责任区", "sanitation area")),
        (OverlayKind.HEALTH, Text("卫生服务区", "health service area")),
        (OverlayKind.RESIDENTS_GROUP, Text("居民小组", "residents' group")),
    )
}
