{{ attribution_affected_order_items(attribution_watermark()) }}
union
{{ attribution_affected_orders(attribution_watermark()) }}
