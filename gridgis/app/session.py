"""An open project in the application: the store, its QGIS layers and the undo stack.

The GeoPackage is the single source of truth. Every edit is a
:class:`~gridgis.core.edit.ChangeSet` written through the store at once (so a crash
loses nothing and the command line sees the same data); the session then reloads the
QGIS layers the edit touched and emits :attr:`ProjectSession.edited` with the
communities that changed, which the docks and the validation panel listen to.

"Saved" is the undo stack's clean state: :meth:`ProjectSession.save` marks the current
state clean; undoing back to it discards the edits since.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd
from qgis.core import QgsFeatureRequest, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal
from qgis.PyQt.QtWidgets import QUndoCommand, QUndoStack

from gridgis.core.audit import acting_as
from gridgis.core.edit import ChangeSet, apply_changes
from gridgis.core.errors import GridGisError, ProjectFileError
from gridgis.core.i18n import Text
from gridgis.core.settings import Settings
from gridgis.core.store import (
    PostGISStore,
    Store,
    copy_project,
    is_postgres,
    open_project,
)
from gridgis.qgis.layers import layer_source, load_project, project_title

#: How often a session on a shared (PostGIS) project looks for others' edits (ms).
WATCH_MS = 1000


def location(path: str | Path) -> str | Path:
    """A project's location: a file path, or a database's connection string as is."""
    return str(path) if is_postgres(path) else Path(path)


#: Layers redrawn after every edit, besides the layers the edit itself changes: the
#: relinking rewrites the grids' households, which their labels and colours show. It
#: also writes the grid code of buildings and facilities and the totals of communities
#: and streets, which nothing on the map shows (and which QGIS reads from the file
#: afresh whenever it asks): redrawing a million buildings for them would make every
#: edit slow on a city.
LINKED_LAYERS = ("grids",)


class EditCommand(QUndoCommand):
    """One applied edit on the undo stack: undo applies its inverse, redo applies it."""

    def __init__(self, session: ProjectSession, applied: ChangeSet) -> None:
        super().__init__(applied.description.get())
        self.session = session
        self.applied = applied
        self._done = True  # pushed after it was applied

    def redo(self) -> None:
        if self._done:
            return
        self.session.replay(self.applied)
        self._done = True

    def undo(self) -> None:
        self.session.replay(self.applied.inverse())
        self._done = False


class ProjectSession(QObject):
    """A project file opened for viewing and editing.

    Parameters
    ----------
    path
        The project file.
    store
        The project's store (normally ``open_project(path)``).
    layers
        Layer name → the QGIS layer on the same file (from
        :func:`gridgis.qgis.layers.load_project`).
    project
        The ``QgsProject`` holding the layers.
    undo_stack
        The stack edits are pushed on (the application's, or the plugin's).
    """

    #: The communities (frozenset of codes) whose grids, buildings or totals changed.
    edited = pyqtSignal(object)
    #: A replayed edit (undo/redo) failed; carries the exception.
    failed = pyqtSignal(object)
    #: The session moved to another file (save as).
    moved = pyqtSignal(object)
    #: A message for the user: text and a ``Qgis.MessageLevel`` (0 info … 2 critical).
    notice = pyqtSignal(str, int)

    #: Others changed these communities (frozenset) while this session had unsaved
    #: edits in them: nothing was reloaded; the window shows a banner.
    conflicted = pyqtSignal(object)

    def __init__(
        self,
        path: str | Path,
        store: Store,
        layers: dict[str, QgsVectorLayer],
        project: QgsProject,
        undo_stack: QUndoStack | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = location(path)
        self.store = store
        self.layers = layers
        self.project = project
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        #: True while the layers are being reloaded after an edit (selections flicker).
        self.refreshing = False
        #: The layers the last edit changed (besides the relinking).
        self.last_layers: frozenset[str] = frozenset()
        self._grids_of: dict[str, pd.DataFrame] = {}
        self._revisions_read: dict[str, int] = {}
        #: Revisions this session's last write left: undo and redo expect them, so
        #: they are refused if someone else changed the community since.
        self._known: dict[str, int] = {}
        #: On a shared project: others' edits are looked for every WATCH_MS.
        self.watch: QTimer | None = None
        if isinstance(store, PostGISStore):
            store.listen()
            self.watch = QTimer(self)
            self.watch.setInterval(WATCH_MS)
            self.watch.timeout.connect(self.catch_up)
            self.watch.start()

    @classmethod
    def open(
        cls,
        path: str | Path,
        project: QgsProject,
        *,
        undo_stack: QUndoStack | None = None,
        parent: QObject | None = None,
    ) -> ProjectSession:
        """Open the project file at ``path`` and add its styled layers to ``project``.

        Raises
        ------
        ProjectFileError
            If the file is missing or is not a GridGIS project.
        """
        path = location(path)
        if isinstance(path, Path) and not path.exists():
            raise ProjectFileError(
                f"{path} does not exist; choose an existing project file.",
                f"{path} 不存在,请选择已有的项目文件。",
            )
        store = open_project(path)
        layers = load_project(path, project)
        return cls(path, store, layers, project, undo_stack, parent)

    def community_grids(self, community: str) -> pd.DataFrame:
        """The grids of ``community`` as the file holds them (read once per edit)."""
        if community not in self._grids_of:
            # What the edit is computed from: its revision, read before the grids.
            self._revisions_read[community] = self.store.revisions([community])[
                community
            ].number
            self._grids_of[community] = self.store.read(
                "grids", where={"community_code": community}
            )
        return self._grids_of[community]

    def notify(self, text: str, level: int = 0) -> None:
        """Show ``text`` to the user (the window's message bar listens)."""
        self.notice.emit(text, level)

    def try_push(self, make: Callable[[], ChangeSet]) -> ChangeSet | None:
        """Compute an edit with ``make`` and push it; show a refused edit's reason.

        A :class:`~gridgis.core.errors.GridGisError` (a line through a building, grids of
        two communities…) becomes a warning to the user and nothing changes.
        """
        try:
            before = self.store.revisions()
            changes = make()
            if not changes.changes:
                return None
            basis = dict(changes.revisions) or {
                c: self._revisions_read.get(c, before[c].number if c in before else 0)
                for c in changes.communities
            }
            applied = self.push(changes, basis)
        except GridGisError as exc:
            self.notify(str(exc), 1)
            return None
        self.notify(applied.description.get(), 3)
        return applied

    @property
    def settings(self) -> Settings:
        """The project settings (bands, roles, CRS)."""
        return self.store.settings

    # -- edits -------------------------------------------------------------------

    def push(
        self, changes: ChangeSet, expected: Mapping[str, int] | None = None
    ) -> ChangeSet:
        """Apply an edit and put it on the undo stack; return the applied change set.

        ``expected``: the revisions the edit was computed from (default: those it
        records). Errors from the store propagate and leave the stack untouched.
        """
        applied = self.apply(
            changes, dict(changes.revisions) if expected is None else expected
        )
        self.undo_stack.push(EditCommand(self, applied))
        return applied

    def apply(
        self, changes: ChangeSet, expected: Mapping[str, int] | None = None
    ) -> ChangeSet:
        """Write ``changes`` to the file, reload the layers and tell the listeners.

        Without ``expected`` (undo, redo) the communities must be as this session's
        last write left them.
        """
        if expected is None:
            expected = {
                c: self._known[c] for c in changes.communities if c in self._known
            }
        try:
            with acting_as(f"app: {changes.tool}"):
                applied = apply_changes(self.store, changes, expected=expected)
        finally:
            self._grids_of.clear()
            self._revisions_read.clear()
        self._known.update(applied.revisions)
        self.last_layers = frozenset(c.layer for c in applied.changes)
        self.refresh_layers(self.last_layers | set(LINKED_LAYERS))
        self.edited.emit(frozenset(applied.communities))
        return applied

    def replay(self, changes: ChangeSet) -> ChangeSet | None:
        """Apply an undo or redo; report failure through :attr:`failed` (never raise).

        Returns the applied change set, or ``None`` when it failed (for instance
        because someone else changed the community since).
        """
        try:
            return self.apply(changes)
        except Exception as exc:
            self.failed.emit(exc)
            return None

    def refresh_layers(self, names: Iterable[str]) -> None:
        """Make the QGIS layers ``names`` show what the file now holds."""
        self.refreshing = True
        try:
            for name in names:
                layer = self.layers.get(name)
                if layer is None:
                    continue
                selected = layer.selectedFeatureIds()
                layer.dataProvider().reloadData()
                layer.updateExtents()
                if selected:
                    # Reloading forgets the selection: keep what still exists.
                    request = QgsFeatureRequest().setFilterFids(selected)
                    request.setFlags(QgsFeatureRequest.NoGeometry).setNoAttributes()
                    layer.selectByIds([f.id() for f in layer.getFeatures(request)])
                layer.triggerRepaint()
        finally:
            self.refreshing = False

    # -- others' edits (shared projects) -------------------------------------------

    def unsaved_communities(self) -> frozenset[str]:
        """Communities that edits since the last save touched."""
        stack = self.undo_stack
        start = max(stack.cleanIndex(), 0)
        touched: set[str] = set()
        for index in range(start, stack.index()):
            command = stack.command(index)
            if isinstance(command, EditCommand):
                touched |= set(command.applied.communities)
        return frozenset(touched)

    def catch_up(self) -> frozenset[str]:
        """Reload what others changed; return the communities reloaded.

        Communities with unsaved edits of this session are not reloaded: the user is
        told (:attr:`conflicted`) and decides — save or discard, then reopen.
        """
        if not isinstance(self.store, PostGISStore):
            return frozenset()
        try:
            changed = frozenset(self.store.changed_by_others())
        except Exception:  # a lost connection: try again at the next tick
            return frozenset()
        if not changed:
            return frozenset()
        blocked = changed & self.unsaved_communities()
        if blocked:
            self.conflicted.emit(blocked)
            self.notify(
                Text(
                    "其他用户修改了社区 {codes},而您在这些社区中有未保存的修改;"
                    "为保留您的修改,未重新加载。请先保存或放弃修改,再重新打开项目。",
                    "Someone else changed community {codes} where you have unsaved "
                    "edits; to keep yours, it was not reloaded. Save or discard your "
                    "edits, then open the project again.",
                )
                .format(codes=", ".join(sorted(blocked)))
                .get(),
                1,
            )
        reload = changed - blocked
        if reload:
            self._grids_of.clear()
            self.refresh_layers(self.layers)
            self.edited.emit(reload)
        return reload

    # -- saved state -------------------------------------------------------------

    def is_modified(self) -> bool:
        """Whether there are edits since the last save."""
        return not self.undo_stack.isClean()

    def save(self) -> None:
        """Mark the current state as saved (the edits are already in the file)."""
        self.undo_stack.setClean()

    def discard(self) -> bool:
        """Undo every edit since the last save; ``False`` if that state is unreachable."""
        clean = self.undo_stack.cleanIndex()
        if clean < 0:
            return False
        self.undo_stack.setIndex(clean)
        return True

    def save_as(self, target: str | Path) -> None:
        """Copy the project to ``target`` and go on working on the copy.

        The undo stack carries over: the copy has the same rows under the same fids.
        Either side may be a file or a database.
        """
        target = location(target)
        if isinstance(target, Path) and isinstance(self.path, Path):
            if target.resolve() == self.path.resolve():
                self.save()
                return
            if target.exists():
                target.unlink()
            source = sqlite3.connect(str(self.path))
            copy = sqlite3.connect(str(target))
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
            store = open_project(target)
        elif target == self.path:
            self.save()
            return
        else:
            store = copy_project(self.store, target, overwrite=True)
        if self.watch is not None:
            self.watch.stop()
        self.store.close()
        self.store = store
        for name, layer in self.layers.items():
            source_uri, provider = layer_source(target, name)
            layer.setDataSource(
                source_uri,
                layer.name(),
                provider,
                layer.dataProvider().ProviderOptions(),
            )
        self.path = target
        self.save()
        self.moved.emit(target)

    def close(self) -> None:
        """Remove the layers from the QGIS project and release the file."""
        ids = [layer.id() for layer in self.layers.values()]
        self.project.removeMapLayers(ids)
        if self.watch is not None:
            self.watch.stop()
        root = self.project.layerTreeRoot()
        group = root.findGroup(project_title(self.path))
        if group is not None:
            root.removeChildNode(group)
        self.layers = {}
        self.store.close()
