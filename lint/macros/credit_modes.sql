{{ credit_modes_values() }}
