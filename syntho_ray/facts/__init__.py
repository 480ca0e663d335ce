"""Facts about the world outside, as data: KubeRay's releases (`kuberay`), our kinds (`kinds`)."""
