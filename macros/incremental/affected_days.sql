{#
    Day-keyed incremental models (agg_attribution_health_daily) recompute the
    days the run touched. `affected_days` (a CTE of the model: sale_date and
    its [day_from, day_to) bounds in the reporting time zone) holds them; an
    incremental run keeps only the rows of `relation_alias` sold on one of
    them, a full build keeps every row.
#}
{% macro on_affected_days(relation_alias) -%}
    {% if is_incremental() %}
        inner join affected_days
            on
                {{ relation_alias }}.sale_time >= affected_days.day_from
                and {{ relation_alias }}.sale_time < affected_days.day_to
    {% endif %}
{%- endmacro %}
