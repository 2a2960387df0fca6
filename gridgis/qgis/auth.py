"""Database logins from QGIS's authentication manager.

A saved QGIS PostgreSQL connection may keep its login in QGIS's encrypted
authentication database instead of ``~/.pgpass``: the connection then holds only the
configuration's ID (``authcfg``). GridGIS addresses carry that ID the same way
(``service=NAME authcfg=ID``, ``postgresql://host/db?authcfg=ID``); when GridGIS
connects, :func:`credentials` asks ``QgsApplication.authManager()`` for the login and
hands it to libpq. The password is never written into a project, a layer's source, a
message or a log. QGIS's own layers resolve the same ID themselves.
"""

from __future__ import annotations

from qgis.core import QgsApplication

from gridgis.core.errors import ProjectFileError
from gridgis.core.store import postgis


def credentials(authcfg: str) -> str:
    """The libpq keywords (``user='…' password='…'``) of configuration ``authcfg``.

    Raises
    ------
    ProjectFileError
        QGIS's authentication manager is unavailable, has no such configuration, or
        cannot decrypt it (master password not given).
    """
    manager = QgsApplication.authManager()
    if manager is None or manager.isDisabled():
        raise ProjectFileError(
            f"QGIS's authentication manager is not available, so the login of "
            f"authentication configuration {authcfg} cannot be read. Check QGIS's "
            "authentication settings, or keep the password in ~/.pgpass.",
            f"QGIS 认证管理器不可用,无法读取认证配置 {authcfg} 的登录信息。请检查 "
            "QGIS 的认证设置,或将密码保存在 ~/.pgpass 中。",
        )
    if authcfg not in manager.configIds():
        raise ProjectFileError(
            f"QGIS has no authentication configuration {authcfg}. Choose the "
            "connection again in the connection dialog, or add the configuration in "
            "QGIS (Settings ▸ Options ▸ Authentication).",
            f"QGIS 中没有认证配置 {authcfg}。请在连接对话框中重新选择连接,或在 QGIS "
            "中添加该配置(设置 ▸ 选项 ▸ 认证)。",
        )
    done, items = manager.updateDataSourceUriItems([], authcfg, "postgres")
    if not done:
        raise ProjectFileError(
            f"QGIS could not read the login of authentication configuration {authcfg}"
            " (was the master password given?). Enter QGIS's master password and try "
            "again.",
            f"QGIS 无法读取认证配置 {authcfg} 的登录信息(是否已输入主密码?)。"
            "请输入 QGIS 的主密码后重试。",
        )
    return " ".join(items)


def use_qgis_credentials() -> None:
    """Let GridGIS's database connections take ``authcfg`` logins from QGIS."""
    postgis.use_credentials(credentials)


__all__ = ["credentials", "use_qgis_credentials"]
