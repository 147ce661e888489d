{{ attribution_affected_order_items(incremental_engine.watermark()) }}
union
{{ attribution_affected_orders(incremental_engine.watermark()) }}
