"""The set of configured models, looked up by name."""

from __future__ import annotations

from collections.abc import Iterator

from {{ cookiecutter.package_name }}.models.spec import ModelSpec


class UnknownModelError(LookupError):
    """A model name that no module registered."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(
            f"unknown model '{name}'. Configured models: {', '.join(known) or 'none'} "
            "(see `models list`; docs/adding-a-model.md explains how to add one)."
        )


class ModelCatalog:
    """Models by name, in registration order."""

    def __init__(self) -> None:
        self._specs: dict[str, ModelSpec] = {}

    def register(self, spec: ModelSpec) -> ModelSpec:
        if spec.name in self._specs:
            raise ValueError(f"model '{spec.name}' is registered twice")
        self._specs[spec.name] = spec
        return spec

    def unregister(self, name: str) -> None:
        self._specs.pop(name, None)

    def get(self, name: str) -> ModelSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise UnknownModelError(name, self.names()) from None

    def names(self) -> list[str]:
        return list(self._specs)

    def __iter__(self) -> Iterator[ModelSpec]:
        return iter(list(self._specs.values()))

    def __len__(self) -> int:
        return len(self._specs)
