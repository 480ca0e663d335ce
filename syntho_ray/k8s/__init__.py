"""Kubernetes objects as typed models: the `kubernetes` client's (`client`), our RayCluster's
(`rayapi`), and the conversion between manifest data and models (`data`)."""
