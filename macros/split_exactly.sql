{#-
    One campaign's share of an amount split exactly among `k` campaigns
    (docs/rules.md §4). `units` is the amount in integer minor units (a
    bigint: cents, or 1/10000 for quantities; `decimals` says which):
    q, r = divmod(units, k) with floor division (0 <= r < k, also for
    negative amounts); the campaigns ranked 1..r by campaign_id get q + 1.
    The shares always add up to the amount. Null stays null.
-#}
{% macro split_exactly(units, decimals, k, rank) -%}
    {%- set remainder = "((" ~ units ~ " % " ~ k ~ ") + " ~ k ~ ") % " ~ k -%}
    cast(
        {{ integer_divide("(" ~ units ~ " - " ~ remainder ~ ")", k) }}
        + case when {{ rank }} <= {{ remainder }} then 1 else 0 end
        as decimal(20, 0)
    ) * {{ "0." ~ "0" * (decimals - 1) ~ "1" }}
{%- endmacro %}

{#- a / b of two integers, as an integer (truncated). -#}
{% macro integer_divide(a, b) -%}
    {{ return(adapter.dispatch('integer_divide')(a, b)) }}
{%- endmacro %}

{% macro default__integer_divide(a, b) -%}
    {{ a }} / {{ b }}
{%- endmacro %}

{% macro spark__integer_divide(a, b) -%}
    {{ a }} div {{ b }}
{%- endmacro %}

{% macro fail_on_unknown_credit_mode(mode) %}
    {%- if mode not in ("FULL", "SPLIT") and exceptions is defined -%}
        {{ exceptions.raise_compiler_error(
            "credit_modes may hold FULL and SPLIT, not " ~ mode) }}
    {%- endif -%}
{% endmacro %}
