select orders.order_id
from orders
where orders.updated_at >= {{ order_observation_since() }}
