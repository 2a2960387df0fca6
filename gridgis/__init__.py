"""GridGIS: a desktop GIS for community grid management (社区网格化服务管理)."""

__version__ = "0.1.0"
