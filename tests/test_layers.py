"""Writes live in services (docs/architecture.md, "Layers inside an app"): no view, form or template tag
writes to the database itself. Read from the source, so that a new write fails here.

Every call of a method named like an ORM write counts (a ModelForm's or a formset's `save()`
writes too), except on a receiver that provably is not a model, queryset or form:

- a local name bound, in the same function, to a dict display (`context = {...}`) or `dict(...)`:
  `context.update(...)` adds to a template's context;
- Django's file storage (`reviews.documents.private_storage()`, or a local bound to it): it saves
  and deletes files in the private folder, not rows.
"""

import ast
from pathlib import Path

from iro_service.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "children", "reviews", "audits", "caseload", "iro_service")
WRITES = frozenset(
    {"save", "create", "update", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
)
FILE_STORAGE = "private_storage"


def _layer_modules() -> list[Path]:
    modules = []
    for app in APPS:
        folder = ROOT / app
        for pattern in ("views.py", "*_views.py", "forms.py", "*_forms.py", "templatetags/*.py"):
            modules += sorted(folder.glob(pattern))
    return modules


def _is_call_of(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _not_rows(function: ast.AST) -> set[str]:
    """Local names bound in `function` to a dict or to file storage."""
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            value = node.value
            is_dict = isinstance(value, ast.Dict | ast.DictComp) or _is_call_of(value, "dict")
            if is_dict or _is_call_of(value, FILE_STORAGE):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names |= {target.id for target in targets if isinstance(target, ast.Name)}
    return names


def _writes_in(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    writes = []
    functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    for scope in [tree, *functions]:
        not_rows = _not_rows(scope) if scope is not tree else set()
        for node in (inner for statement in scope.body for inner in _walk_own(statement)):
            is_method_call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            if not is_method_call or node.func.attr not in WRITES:
                continue
            receiver = node.func.value
            if (isinstance(receiver, ast.Name) and receiver.id in not_rows) or _is_call_of(receiver, FILE_STORAGE):
                continue
            writes.append(f"{path.relative_to(root)}:{node.lineno}: .{node.func.attr}(...)")
    return sorted(writes, key=lambda write: int(write.split(":")[1]))


def _walk_own(node: ast.AST):
    """`node` and what it holds, leaving out the functions defined in it (scopes of their own)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _walk_own(child)


def test_the_layer_modules_are_found():
    names = {str(path.relative_to(ROOT)) for path in _layer_modules()}
    assert {"reviews/views.py", "audits/forms.py", "accounts/templatetags/site_tags.py"} <= names


def test_a_model_save_in_a_view_is_found(tmp_path):
    view = tmp_path / "views.py"
    view.write_text(
        "def page(request, form):\n"
        "    context = {}\n"
        "    context.update(form=form)\n"
        "    private_storage().save('a', b'')\n"
        "    form.save()\n"
        "    def inner():\n"
        "        context.update(x=1)\n"
        "    return lambda: form.instance.delete()\n"
    )
    found = [write.split(":")[1] for write in _writes_in(view, root=tmp_path)]
    # form.save() writes; context.update in a nested function is not provably the dict.
    assert found == ["5", "7", "8"]


def test_no_view_form_or_template_tag_writes_to_the_database():
    writes = [write for path in _layer_modules() for write in _writes_in(path)]
    assert not writes, "Move these writes into the app's services.py:\n" + "\n".join(writes)


def _imports_tasks(path: Path) -> list[int]:
    """Lines of `path` that import a tasks module (`from .tasks import ...`, `import reviews.tasks`)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""] + [f"{node.module or ''}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        if any(name == "tasks" or name.endswith(".tasks") for name in (name.lstrip(".") for name in names)):
            lines.append(node.lineno)
    return lines


def test_tasks_import_services_and_never_the_reverse():
    """A service queues a task by name (iro_service.queue), so no module but the tasks' own imports them."""
    importers = [
        f"{path.relative_to(ROOT)}:{line}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if path.name != "tasks.py" and "migrations" not in path.parts
        for line in _imports_tasks(path)
    ]
    assert not importers, "These import a tasks module:\n" + "\n".join(importers)


def test_every_task_a_service_queues_by_name_exists():
    queued = {
        node.args[0].value: f"{path.relative_to(ROOT)}:{node.lineno}"
        for folder in APPS
        for path in sorted((ROOT / folder).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("task_send", "task_send_on_commit")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert {"reviews.tasks.render_document", "accounts.tasks.deliver_notifications"} <= set(queued)
    celery_app.autodiscover_tasks(force=True)
    missing = [f"{where}: {name}" for name, where in queued.items() if name not in celery_app.tasks]
    assert not missing, "No such task:\n" + "\n".join(missing)
