{#-
    What the matching models do with arrays (int_product_segment_campaigns
    packs each product's segments into arrays; int_order_items_matched
    reads them), in each warehouse's dialect. Positions are 1-based.
-#}

{#- The values of `value`, ordered by `order_by` (a list of columns). -#}
{% macro ordered_array(value, order_by) -%}
    {{ return(adapter.dispatch('ordered_array')(value, order_by)) }}
{%- endmacro %}

{% macro default__ordered_array(value, order_by) -%}
    array_agg({{ value }} order by {{ order_by | join(", ") }})
{%- endmacro %}

{% macro spark__ordered_array(value, order_by) -%}
    {%- set fields = [] -%}
    {%- for column in order_by -%}
        {%- do fields.append(column ~ " as sort_" ~ loop.index) -%}
    {%- endfor -%}
    transform(
        array_sort(collect_list(struct({{ fields | join(", ") }}, {{ value }} as element))),
        sorted -> sorted.element
    )
{%- endmacro %}

{#- How many elements of the ascending `starts` are <= `value`: the
    segment of `value` (0 before the first start). -#}
{% macro segment_of(value, starts) -%}
    {{ return(adapter.dispatch('segment_of')(value, starts)) }}
{%- endmacro %}

{% macro default__segment_of(value, starts) -%}
    width_bucket({{ value }}, {{ starts }})
{%- endmacro %}

{% macro spark__segment_of(value, starts) -%}
    size(filter({{ starts }}, segment_start -> segment_start <= {{ value }}))
{%- endmacro %}

{#- Elements `first` to `last` (inclusive) of `elements`. -#}
{% macro array_slice(elements, first, last) -%}
    {{ return(adapter.dispatch('array_slice')(elements, first, last)) }}
{%- endmacro %}

{% macro default__array_slice(elements, first, last) -%}
    {{ elements }}[{{ first }}:{{ last }}]
{%- endmacro %}

{% macro spark__array_slice(elements, first, last) -%}
    slice({{ elements }}, {{ first }}, greatest({{ last }} - ({{ first }}) + 1, 0))
{%- endmacro %}

{#- Element `position` of `elements`, null past the end. -#}
{% macro array_element(elements, position) -%}
    {{ return(adapter.dispatch('array_element')(elements, position)) }}
{%- endmacro %}

{% macro default__array_element(elements, position) -%}
    {{ elements }}[{{ position }}]
{%- endmacro %}

{% macro spark__array_element(elements, position) -%}
    try_element_at({{ elements }}, {{ position }})
{%- endmacro %}

{#- The number of elements; null for a null array. -#}
{% macro array_size(elements) -%}
    {{ return(adapter.dispatch('array_size')(elements)) }}
{%- endmacro %}

{% macro default__array_size(elements) -%}
    cardinality({{ elements }})
{%- endmacro %}

{% macro spark__array_size(elements) -%}
    case when {{ elements }} is not null then size({{ elements }}) end
{%- endmacro %}

{#- `elements` with one null element before the first. -#}
{% macro with_null_first(elements, element_type) -%}
    {{ return(adapter.dispatch('with_null_first')(elements, element_type)) }}
{%- endmacro %}

{% macro default__with_null_first(elements, element_type) -%}
    array[null::{{ element_type }}] || {{ elements }}
{%- endmacro %}

{% macro spark__with_null_first(elements, element_type) -%}
    concat(array(cast(null as {{ element_type }})), {{ elements }})
{%- endmacro %}

{% macro empty_array(element_type) -%}
    {{ return(adapter.dispatch('empty_array')(element_type)) }}
{%- endmacro %}

{% macro default__empty_array(element_type) -%}
    array[]::{{ element_type }}[]
{%- endmacro %}

{% macro spark__empty_array(element_type) -%}
    cast(array() as array<{{ element_type }}>)
{%- endmacro %}

{#-
    A FROM-clause item after the one table before it: a row per element of
    `elements` (a column of that table), as `alias`.`value_name` with its
    1-based position `position_name`; `keep_empty`: a row of nulls for a
    null or empty array, as a left join would.
-#}
{% macro each_element(
    elements, alias, value_name, position_name, keep_empty=false
) -%}
    {{ return(adapter.dispatch('each_element')(
        elements, alias, value_name, position_name, keep_empty)) }}
{%- endmacro %}

{% macro default__each_element(
    elements, alias, value_name, position_name, keep_empty
) -%}
    {{ "left join" if keep_empty else "cross join" }}
        lateral unnest({{ elements }})
        with ordinality as {{ alias }} ({{ value_name }}, {{ position_name }})
    {%- if keep_empty %}
        on true
    {%- endif %}
{%- endmacro %}

{% macro spark__each_element(
    elements, alias, value_name, position_name, keep_empty
) -%}
    lateral view {{ "outer" if keep_empty }} inline(
        transform({{ elements }}, (element, offset) -> struct(element, offset + 1))
    ) {{ alias }} as {{ value_name }}, {{ position_name }}
{%- endmacro %}

{#- A FROM-clause item: a row per integer from 0 to `last`, as `name`. -#}
{% macro each_number(last, alias, name) -%}
    {{ return(adapter.dispatch('each_number')(last, alias, name)) }}
{%- endmacro %}

{% macro default__each_number(last, alias, name) -%}
    cross join lateral generate_series(0, {{ last }}) as {{ alias }} ({{ name }})
{%- endmacro %}

{% macro spark__each_number(last, alias, name) -%}
    lateral view explode(sequence(0, {{ last }})) {{ alias }} as {{ name }}
{%- endmacro %}
