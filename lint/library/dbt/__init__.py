"""dbt's cross-database macros (`dbt.concat`, `dbt.type_string`) in the
linter's Jinja context, as dbt renders them for PostgreSQL."""


def concat(fields: list[str]) -> str:
    return " || ".join(fields)


def type_string() -> str:
    return "text"
