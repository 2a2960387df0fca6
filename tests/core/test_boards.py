"""What goes on the boards: staff order, the leader's vCard, service numbers, scopes."""

import pytest

from gridgis.core.boards import (
    DEFAULT_SERVICE_NUMBERS,
    ServiceNumber,
    StaffMember,
    order_staff,
    read_boards,
    service_numbers,
    split_name,
    with_service_numbers,
)
from gridgis.core.errors import CodeError, GridGisError, SchemaError
from gridgis.core.i18n import Text
from gridgis.core.store import open_project

NO_LEADER = "320599003002004"


@pytest.fixture
def demo_store(demo_copy):
    return open_project(demo_copy)


def test_every_grid_gets_a_board_in_code_order(demo_store):
    boards = read_boards(demo_store)
    codes = [b.code for b in boards]
    assert codes == sorted(demo_store.read("grids")["code"])
    first = boards[0]
    assert first.community_name == "幸福里社区"
    assert first.street_name == "东园街道"
    assert first.households == 428
    assert first.ab_partner_name == "幸福里第6网格"


def test_staff_follow_the_role_catalogue_with_backups_last(demo_store):
    roles = [r.id for r in demo_store.settings.roles]
    assignments = demo_store.read("assignments")
    for board in read_boards(demo_store):
        mine = assignments[assignments["grid_code"] == board.code]
        assert len(board.staff) == len(mine)
        own = [s for s in board.staff if not s.is_backup]
        backups = [s for s in board.staff if s.is_backup]
        assert board.staff == tuple(own + backups)
        ranks = [roles.index(s.role) for s in own]
        assert ranks == sorted(ranks)
        assert all(s.post.zh.endswith("(AB岗)") for s in backups)


def test_the_grid_without_a_leader_has_no_vcard(demo_store):
    boards = {b.code: b for b in read_boards(demo_store)}
    assert boards[NO_LEADER].leader is None
    assert boards[NO_LEADER].vcard() is None
    others = [b for code, b in boards.items() if code != NO_LEADER]
    assert all(b.leader is not None and b.leader.role == "grid_leader" for b in others)


def test_the_vcard_carries_the_leaders_name_phone_and_grid(demo_store):
    board = read_boards(demo_store, grids=["320599001001001"])[0]
    leader = board.leader
    staff = demo_store.read("staff").set_index("id")
    card = board.vcard()
    assert card.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert f"FN:{leader.name}" in card
    assert f"TEL;TYPE=CELL:{staff.loc[leader.staff_id, 'phone']}" in card
    assert f"N:{leader.name[0]};{leader.name[1:]};;;" in card
    assert "网格编码 320599001001001" in card
    assert card.endswith("END:VCARD")


def test_scopes_select_a_community_or_a_street(demo_store):
    community = read_boards(demo_store, community="320599003002")
    assert {b.community_code for b in community} == {"320599003002"}
    assert len(community) == 8
    street = read_boards(demo_store, street="320599003")
    assert {b.community_code for b in street} == {"320599003002", "320599003004"}


def test_bad_scopes_say_what_to_do(demo_store):
    with pytest.raises(CodeError, match="no community with code 320599009009"):
        read_boards(demo_store, community="320599009009")
    with pytest.raises(CodeError, match="no street"):
        read_boards(demo_store, street="320599777")
    with pytest.raises(GridGisError, match="not both"):
        read_boards(demo_store, community="320599003002", street="320599003")
    # 翠苑社区 has not been divided into grids yet
    with pytest.raises(GridGisError, match="divide the community") as error:
        read_boards(demo_store, community="320599002001")
    assert "请先划分网格" in error.value.text.zh


def test_service_numbers_default_and_from_settings(settings):
    assert service_numbers(settings) == DEFAULT_SERVICE_NUMBERS
    assert {n.zh for n in DEFAULT_SERVICE_NUMBERS} >= {"民政服务", "残联服务", "火警"}
    custom = with_service_numbers(
        settings, [ServiceNumber("燃气抢修", "gas emergency", "0512-96777")]
    )
    assert service_numbers(custom) == (
        ServiceNumber("燃气抢修", "gas emergency", "0512-96777"),
    )
    from gridgis.core.settings import Settings

    assert Settings.from_rows(custom.to_rows()).extra == custom.extra


def test_malformed_service_numbers_are_refused(settings):
    broken = settings.with_changes(extra={"service_numbers": {"gas": 1}})
    with pytest.raises(SchemaError, match="service_numbers"):
        service_numbers(broken)


def test_roles_outside_the_catalogue_come_last(settings):
    def person(name, role, backup=False):
        return StaffMember(name, name, role, Text(role, role), None, None, None, backup)

    staff = [
        person("丁", "volunteer"),
        person("丙", "full_time", backup=True),
        person("乙", "full_time"),
        person("甲", "grid_leader"),
    ]
    assert [s.name for s in order_staff(staff, settings.roles)] == [
        "甲",
        "乙",
        "丁",
        "丙",
    ]


def test_compound_surnames_split_right():
    assert split_name("司马相如") == ("司马", "相如")
    assert split_name("王磊") == ("王", "磊")
    assert split_name("Anna Li") == ("Anna Li", "")
