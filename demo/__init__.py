"""The demo world: generated ERP orders, campaigns and spend, and the process
manager behind `make demo`."""
