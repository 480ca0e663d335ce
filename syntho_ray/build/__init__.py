"""From values to Kubernetes objects: one pure builder module per concern, typed client models.

`naming` derives names and labels; `rbac`, `license`, `storage`, `operator` and `raycluster`
each build their objects; `openshift` and `images` adapt the values before the builders run.
"""
