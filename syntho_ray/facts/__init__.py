"""Facts about the world outside, as data: KubeRay's releases, our kinds, the chart generations,
Ray's releases and the deployment guide's words."""
