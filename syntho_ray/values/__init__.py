"""The chart's values: read from YAML, combined the way Helm does, validated into one model.

`yamlfile` reads a file (data plus the line of every key), `helm` merges files and `--set`,
`model` is the frozen `Values`, `checks` look at the whole values, `messages` and `suggest`
turn problems into what a user reads, and `loading` runs these steps in order.
"""
