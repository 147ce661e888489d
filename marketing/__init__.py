"""The one writer of the `marketing` schema: campaigns, their products and
status, and daily spend. The app, the demo world and Dagster all write
through it."""
