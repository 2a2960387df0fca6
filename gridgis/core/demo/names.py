"""Chinese names for the demo district: people, streets, communities, roads, places."""

from __future__ import annotations

import numpy as np

#: Common surnames, most frequent first (weights fall off along the list).
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_MALE = (
    "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林峰建国文斌志坚海东"
)
GIVEN_FEMALE = (
    "芳娜敏静丽艳娟霞燕玲桂英秀兰红梅琳婷雪慧莉萍颖倩洁佳琴云莹晶欣悦瑶婧丹璐月"
)

STREET_NAMES = ("东园街道", "南湖街道", "西桥街道")
COMMUNITY_NAMES = (
    "幸福里社区", "新华社区", "朝阳社区", "锦绣社区", "翠苑社区", "康乐社区",
    "和平社区", "友谊社区", "东湖社区", "桃园社区", "青年社区", "书院社区",
)  # fmt: skip
ARTERIAL_NAMES = ("人民路", "解放路", "建设路", "中山路", "长江路", "青年路", "滨河路")
LOCAL_PREFIXES = (
    "桃花", "杏林", "梧桐", "丁香", "玉兰", "海棠", "紫薇", "石榴", "香樟", "银杏",
    "枫林", "竹园", "荷花", "芙蓉", "桂花", "茉莉", "樱花", "青松", "翠柏", "柳岸",
    "文昌", "育才", "兴业", "安康", "永宁", "同心", "和顺", "长乐", "春晖", "明德",
    "书香", "怡园", "锦华", "富民", "惠民", "民主", "团结", "光明", "胜利", "振兴",
)  # fmt: skip
LOCAL_SUFFIXES = ("路", "街", "巷", "弄")
ESTATE_SUFFIXES = ("小区", "新村", "花园", "家园", "苑")
SCHOOL_NAMES = (
    "实验小学",
    "第一中学",
    "育才小学",
    "外国语学校",
    "第二中学",
    "城南小学",
)
HOSPITAL_NAMES = ("区人民医院", "中医医院")
MARKET_SUFFIXES = ("农贸市场", "生活超市", "菜市场")
PARK_SUFFIXES = ("公园", "广场", "游园")
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "177", "180", "181", "182",
    "183", "185", "186", "187", "188", "189", "191", "198", "199",
)  # fmt: skip


class NamePool:
    """Draws names from the pools without repeating a full name."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used_people: set[str] = set()
        self.used_places: set[str] = set()
        weights = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.8
        self._surname_p = weights / weights.sum()

    def person(self) -> tuple[str, str]:
        """A new person's name and gender (``"m"`` or ``"f"``)."""
        while True:
            surname = SURNAMES[self.rng.choice(len(SURNAMES), p=self._surname_p)]
            gender = "m" if self.rng.random() < 0.45 else "f"
            pool = GIVEN_MALE if gender == "m" else GIVEN_FEMALE
            length = 1 if self.rng.random() < 0.3 else 2
            given = "".join(pool[self.rng.integers(len(pool))] for _ in range(length))
            name = surname + given
            if name not in self.used_people:
                self.used_people.add(name)
                return name, gender

    def mobile(self) -> str:
        """An 11-digit mainland mobile number."""
        prefix = MOBILE_PREFIXES[self.rng.integers(len(MOBILE_PREFIXES))]
        return prefix + "".join(str(d) for d in self.rng.integers(0, 10, 8))

    def place(self, suffixes: tuple[str, ...]) -> str:
        """A new place name: a two-character word and one of ``suffixes``."""
        for _ in range(1000):
            prefix = LOCAL_PREFIXES[self.rng.integers(len(LOCAL_PREFIXES))]
            name = prefix + suffixes[self.rng.integers(len(suffixes))]
            if name not in self.used_places:
                self.used_places.add(name)
                return name
        raise RuntimeError("the place-name pool is exhausted")  # pragma: no cover
