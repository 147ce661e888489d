{#-
    One campaign's share of `amount` split exactly among `k` campaigns
    (ATTRIBUTION.md §4): in integer minor units (10^decimals per unit),
    q, r = divmod(units, k) with floor division (0 <= r < k, also for
    negative amounts); the campaigns ranked 1..r by campaign_id get q + 1.
    The shares always add up to the amount. Null stays null.
-#}
{% macro split_exactly(amount, decimals, k, rank) -%}
    {%- set scale = 10 ** decimals -%}
    {%- set units = "(" ~ amount ~ " * " ~ scale ~ ")::bigint" -%}
    {%- set remainder = "((" ~ units ~ " % " ~ k ~ ") + " ~ k ~ ") % " ~ k -%}
    (
        ({{ units }} - {{ remainder }}) / {{ k }}
        + case when {{ rank }} <= {{ remainder }} then 1 else 0 end
    ) * {{ 1 / scale }}::numeric
{%- endmacro %}

{% macro fail_on_unknown_credit_mode(mode) %}
    {%- if exceptions is defined -%}
        {{ exceptions.raise_compiler_error(
            "credit_modes may hold FULL and SPLIT, not " ~ mode) }}
    {%- endif -%}
{% endmacro %}
