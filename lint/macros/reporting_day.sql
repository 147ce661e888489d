select
    {{ reporting_day('orders.sale_time') }} as sale_date,
    {{ day_bounds('orders.sale_date') }} as day_start
from orders
