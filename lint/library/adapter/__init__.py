"""dbt's `adapter.dispatch` in the linter's Jinja context: the project's
dispatching macros render their PostgreSQL variant (`postgres__`, else
`default__`), found among the macros the linter loaded from macros/."""

from typing import Any

from jinja2 import pass_context


def dispatch(name: str, macro_namespace: str | None = None) -> Any:
    @pass_context
    def call(context: Any, *args: Any, **kwargs: Any) -> Any:
        for prefix in ("postgres__", "default__"):
            macro = context.get(prefix + name)
            if macro is not None:
                return macro(*args, **kwargs)
        raise LookupError(f"no PostgreSQL variant of {name}")

    return call
