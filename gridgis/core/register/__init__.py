"""The grid's information base (一标三实): houses and residents behind the buildings.

Community offices fill Excel templates (:mod:`~gridgis.core.register.templates`);
:mod:`~gridgis.core.register.load` matches their rows to the project's buildings
(:mod:`~gridgis.core.register.address`), checks ID numbers
(:mod:`~gridgis.core.register.identity`) and writes them in one transaction, after
which a registered building's households and population come from its register.
Personal data is masked wherever it is shown (:func:`mask_id`, :func:`mask_phone`).
"""

from gridgis.core.register.identity import check_id_number, mask_id, mask_phone
from gridgis.core.register.load import (
    Problem,
    RegisterError,
    RegisterPlan,
    RegisterReport,
    apply_register,
    plan_register,
)
from gridgis.core.register.templates import read_table, write_template

__all__ = [
    "Problem",
    "RegisterError",
    "RegisterPlan",
    "RegisterReport",
    "apply_register",
    "check_id_number",
    "mask_id",
    "mask_phone",
    "plan_register",
    "read_table",
    "write_template",
]
