select {{ split_exactly('shares.units', 2, 'shares.k', 'shares.rank') }} as amount
from shares
where shares.credit_mode in ({{ quoted_list(var('credit_modes')) }})
