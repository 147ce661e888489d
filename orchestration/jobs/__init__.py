"""What runs, and when: the jobs, their schedules and sensors, and the
selection of a frequent run (changes.py). The jobs' names and run config are
orchestration/launch.py (plain Python, the app's too)."""
