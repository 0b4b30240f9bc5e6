"""Keeps each configured model's `champion` loaded, and swaps to a new one when the alias moves.

Swaps replace one dict entry with a new immutable ServedModel: requests already holding the old
one finish on it. Start-up failures are retried with exponential backoff (tenacity) in the
background, so the process never crashes because the registry is down; it is just not ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from {{ cookiecutter.package_name }}.api.metrics import ApiMetrics
from {{ cookiecutter.package_name }}.api.model_loader import (
    ChampionMissingError,
    ModelSource,
    RegistryUnavailableError,
)
from {{ cookiecutter.package_name }}.api.serving import ServedModel
from {{ cookiecutter.package_name }}.registry.names import CHAMPION

logger = logging.getLogger(__name__)


class UnknownModelError(Exception):
    """The name is not one of SERVED_MODELS."""


class ModelNotLoadedError(Exception):
    """The model is configured but no version is loaded (yet); the message says why."""


class _NotAllLoadedError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class ModelStatus:
    name: str
    served: ServedModel | None
    error: str | None
    # The registry answered that the model has no `champion` yet (the pipeline has not run).
    champion_missing: bool


class ModelManager:
    """The served models by name, plus the registry's health as last seen."""

    def __init__(
        self,
        *,
        names: list[str],
        source: ModelSource,
        poll_seconds: float,
        max_batch_size: int,
        metrics: ApiMetrics,
    ) -> None:
        self.names = list(dict.fromkeys(names))
        self._source = source
        self._poll_seconds = poll_seconds
        self._max_batch_size = max_batch_size
        self._metrics = metrics
        self._served: dict[str, ServedModel] = {}
        self._errors: dict[str, str] = {}
        self._champion_missing: set[str] = set()
        self.registry_error: str | None = None
        self.registry_checked_at: datetime | None = None
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def get(self, name: str) -> ServedModel:
        served = self._served.get(name)
        if served is not None:
            return served
        if name not in self.names:
            raise UnknownModelError(
                f"no model named {name!r}; served models: {', '.join(self.names)}"
            )
        # Answers name no registry address: the cause is in GET /v1/models and the API log.
        raise ModelNotLoadedError(
            f"model {name!r} is not loaded yet ({self._public_reason(name)}); retrying, "
            "try again in a few seconds"
        )

    def _public_reason(self, name: str) -> str:
        if name in self._champion_missing:
            return "it has no `champion` version"
        return "the registry is unreachable" if name in self._errors else "still loading"

    def statuses(self) -> list[ModelStatus]:
        return [
            ModelStatus(
                name,
                self._served.get(name),
                self._errors.get(name),
                champion_missing=name in self._champion_missing,
            )
            for name in self.names
        ]

    @property
    def all_loaded(self) -> bool:
        return all(name in self._served for name in self.names)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="model-manager")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def refresh(self) -> None:
        """Load every model whose `champion` is not the version we serve."""
        for name in self.names:
            await self._refresh_one(name, force=False)

    async def reload(self, name: str) -> tuple[str | None, ServedModel]:
        """Load `champion` of `name` again now, even if the version did not change."""
        if name not in self.names:
            raise UnknownModelError(
                f"no model named {name!r}; served models: {', '.join(self.names)}"
            )
        previous = self._served.get(name)
        await self._refresh_one(name, force=True)
        served = self._served.get(name)
        if served is None or name in self._errors:
            raise ModelNotLoadedError(
                f"reloading {name!r} failed ({self._public_reason(name)}); check the registry "
                "and that the model has a `champion` version, then reload again"
            )
        return (previous.loaded.version if previous else None), served

    async def _run(self) -> None:
        # Start-up: retry with growing waits until every model is loaded, then poll calmly.
        async for attempt in AsyncRetrying(
            wait=wait_exponential(multiplier=0.5, max=max(self._poll_seconds, 1.0)),
            retry=retry_if_exception_type(_NotAllLoadedError),
            before_sleep=lambda state: logger.warning(
                "not every model is loaded (attempt %d): %s; retrying",
                state.attempt_number,
                "; ".join(f"{k}: {v}" for k, v in self._errors.items()),
            ),
        ):
            with attempt:
                await self.refresh()
                if not self.all_loaded:
                    raise _NotAllLoadedError
        logger.info(
            "serving %s", ", ".join(f"{n} v{self._served[n].loaded.version}" for n in self.names)
        )
        while True:
            await asyncio.sleep(self._poll_seconds)
            await self.refresh()

    async def _refresh_one(self, name: str, *, force: bool) -> None:
        async with self._lock:
            try:
                ref = await asyncio.to_thread(self._source.champion, name)
                self._registry_seen(None)
                current = self._served.get(name)
                if current is not None and current.loaded.version == ref.version and not force:
                    self._errors.pop(name, None)
                    self._champion_missing.discard(name)
                    return
                loaded = await asyncio.to_thread(self._source.load, ref)
                served = await asyncio.to_thread(
                    ServedModel.build, loaded, max_batch_size=self._max_batch_size
                )
            except ChampionMissingError as error:
                self._errors[name] = str(error)
                self._champion_missing.add(name)
                return
            except RegistryUnavailableError as error:
                self._champion_missing.discard(name)
                self._registry_seen(str(error))
                self._errors[name] = f"registry unreachable: {error}"
                return
            previous = self._served.get(name)
            self._served[name] = served
            self._errors.pop(name, None)
            self._champion_missing.discard(name)
            # Long-lived objects (imports, models) leave the collector's generations, so the
            # collections request garbage triggers stop re-scanning them; refcounting still frees.
            gc.freeze()
            self._metrics.model_loaded(
                name, served.loaded.version, previous.loaded.version if previous else None
            )
            logger.info(
                "model %s: now serving v%s (%s was v%s)",
                name,
                served.loaded.version,
                CHAMPION,
                previous.loaded.version if previous else "-",
            )

    def _registry_seen(self, error: str | None) -> None:
        self.registry_error = error
        self.registry_checked_at = datetime.now(UTC)
        self._metrics.registry_up.set(0 if error else 1)
