"""The release's life cycle in a cluster, through the `kubernetes` client.

One module per concern: `connect` (kubeconfig, retries), `preflight`, `apply`
(server-side apply and prune), `wait`, `diff`, `status`, `delete` and
`helm_migrate`. `resources` knows where each kind lives in the API.
"""
