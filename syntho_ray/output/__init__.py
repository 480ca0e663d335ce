"""Writing rendered documents: one YAML stream (`stream`) or a kustomize directory (`kustomize`)."""
