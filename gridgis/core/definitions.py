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
        return _LABELS[_key(self)]

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


class ChangeOperation(LabelledEnum):
    """What a change recorded in the audit trail did to a row."""

    INSERT = "insert"
    """The row was added."""
    UPDATE = "update"
    """Fields or the geometry of the row changed."""
    DELETE = "delete"
    """The row was removed."""


class HouseUse(LabelledEnum):
    """What a house (a dwelling or unit of a building) is used for."""

    OWNER = "owner"
    """Lived in by its owner (自住)."""
    RENTED = "rented"
    """Let to one household (出租)."""
    GROUP_RENTED = "group_rented"
    """Let room by room to several tenants (群租)."""
    VACANT = "vacant"
    """Nobody lives there (空置)."""
    BUSINESS = "business"
    """A shop or office (经营)."""


class Gender(LabelledEnum):
    """A resident's gender as on the ID card."""

    MALE = "male"
    """男."""
    FEMALE = "female"
    """女."""


class Residence(LabelledEnum):
    """Whether a resident's household registration is here."""

    REGISTERED = "registered"
    """Registered population (户籍人口)."""
    FLOATING = "floating"
    """Floating population (流动人口)."""


def _key(member: Enum) -> tuple[type, str]:
    # Members are str: GridKind.RESIDENTIAL == BuildingUse.RESIDENTIAL, so a dict keyed
    # by members would merge them; key by class and value instead.
    return (type(member), str(member.value))


_LABELS: dict[tuple[type, str], Text] = {
    _key(Level.STREET): Text("街道", "street"),
    _key(Level.COMMUNITY): Text("社区", "community"),
    _key(Level.GRID): Text("网格", "grid"),
    _key(GridKind.RESIDENTIAL): Text("居民网格", "residential grid"),
    _key(GridKind.UNIT): Text("单位网格", "unit grid"),
    _key(GridKind.SPECIAL): Text("专属网格", "special grid"),
    _key(Severity.ERROR): Text("错误", "error"),
    _key(Severity.WARNING): Text("警告", "warning"),
    _key(BuildingUse.RESIDENTIAL): Text("住宅", "residential"),
    _key(BuildingUse.MIXED): Text("商住", "mixed use"),
    _key(BuildingUse.COMMERCIAL): Text("商业", "commercial"),
    _key(BuildingUse.OFFICE): Text("办公", "office"),
    _key(BuildingUse.EDUCATION): Text("教育", "education"),
    _key(BuildingUse.MEDICAL): Text("医疗", "medical"),
    _key(BuildingUse.PUBLIC): Text("公共服务", "public service"),
    _key(BuildingUse.INDUSTRIAL): Text("工业", "industrial"),
    _key(FacilityCategory.SCHOOL): Text("学校", "school"),
    _key(FacilityCategory.KINDERGARTEN): Text("幼儿园", "kindergarten"),
    _key(FacilityCategory.HOSPITAL): Text("医院", "hospital"),
    _key(FacilityCategory.CLINIC): Text("卫生服务站", "health station"),
    _key(FacilityCategory.MARKET): Text("市场", "market"),
    _key(FacilityCategory.POLICE): Text("警务室", "police post"),
    _key(FacilityCategory.PARK): Text("公园", "park"),
    _key(FacilityCategory.SERVICE_STATION): Text("社区服务站", "service station"),
    _key(FacilityCategory.ELDERLY_CARE): Text("养老服务站", "elderly care"),
    _key(FacilityCategory.FIRE): Text("微型消防站", "fire post"),
    _key(RoadClass.ARTERIAL): Text("主干路", "arterial road"),
    _key(RoadClass.SECONDARY): Text("次干路", "secondary road"),
    _key(RoadClass.LOCAL): Text("支路", "local road"),
    _key(RoadClass.ALLEY): Text("街巷", "alley"),
    _key(OverlayKind.POLICE): Text("警务区", "police area"),
    _key(OverlayKind.SCHOOL): Text("学区", "school district"),
    _key(OverlayKind.PROPERTY): Text("物业管理区", "property area"),
    _key(OverlayKind.SANITATION): Text("环卫责任区", "sanitation area"),
    _key(OverlayKind.HEALTH): Text("卫生服务区", "health service area"),
    _key(OverlayKind.RESIDENTS_GROUP): Text("居民小组", "residents' group"),
    _key(ChangeOperation.INSERT): Text("新增", "insert"),
    _key(ChangeOperation.UPDATE): Text("修改", "update"),
    _key(ChangeOperation.DELETE): Text("删除", "delete"),
    _key(HouseUse.OWNER): Text("自住", "owner-occupied"),
    _key(HouseUse.RENTED): Text("出租", "rented"),
    _key(HouseUse.GROUP_RENTED): Text("群租", "group-rented"),
    _key(HouseUse.VACANT): Text("空置", "vacant"),
    _key(HouseUse.BUSINESS): Text("经营", "business"),
    _key(Gender.MALE): Text("男", "male"),
    _key(Gender.FEMALE): Text("女", "female"),
    _key(Residence.REGISTERED): Text("户籍", "registered"),
    _key(Residence.FLOATING): Text("流动", "floating"),
}
