"""The release's life cycle in a cluster, through the `kubernetes` client.

One module per concern: `connect` (kubeconfig, retries), `preflight`, `apply`
(server-side apply and prune), `wait`, `diff`, `status`, `delete` and
`helm_migrate`; `operations` runs them as the commands do. `refs` names one object.
"""
