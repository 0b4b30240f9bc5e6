"""Dynamic batching: concurrent requests share model calls, and a bad one fails alone."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.api.batching import Batcher
from {{ cookiecutter.package_name }}.api.tables import ParsedRecords


class Doubler:
    """A model that doubles `x`, records its call sizes, and refuses negative values."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, frame: pd.DataFrame) -> list[Any]:
        self.calls.append(len(frame))
        if (frame["x"] < 0).any():
            raise ValueError("negative x")
        return [2 * value for value in frame["x"]]


async def _send(batcher: Batcher, values: list[int]) -> list[Any]:
    return await batcher.predict(
        ParsedRecords(columns={"x": values}, records=None, size=len(values))
    )


def test_concurrent_requests_are_answered_in_order_with_fewer_model_calls() -> None:
    model = Doubler()

    async def scenario() -> list[list[Any]]:
        batcher = Batcher(predict=model, max_rows=1000)
        first = await _send(batcher, [1])  # alone: answered at once, no waiting for company
        together = await asyncio.gather(*(_send(batcher, [n, n + 1]) for n in range(10, 60, 10)))
        return [first, *together]

    answers = asyncio.run(scenario())
    assert answers == [[2], [20, 22], [40, 42], [60, 62], [80, 82], [100, 102]]
    assert model.calls == [1, 10]  # the five concurrent requests went in one call


def test_a_model_serving_several_clients_waits_a_moment_for_their_next_requests() -> None:
    model = Doubler()

    async def arriving_a_moment_later(batcher: Batcher, value: int) -> list[Any]:
        await asyncio.sleep(0)  # after the model call for the first one was scheduled
        return await _send(batcher, [value])

    async def scenario() -> tuple[list[Any], ...]:
        batcher = Batcher(predict=model, max_rows=1000)
        await _send(batcher, [1])  # one client: no waiting
        await asyncio.gather(_send(batcher, [2]), _send(batcher, [3]))  # two clients share
        return await asyncio.gather(
            _send(batcher, [4]),
            arriving_a_moment_later(batcher, 5),
            arriving_a_moment_later(batcher, 6),
        )

    assert list(asyncio.run(scenario())) == [[8], [10], [12]]
    assert model.calls == [1, 2, 3]  # without the wait: [1, 2, 1, 2]


def test_a_single_client_is_never_kept_waiting() -> None:
    model = Doubler()

    async def scenario() -> None:
        batcher = Batcher(predict=model, max_rows=1000, wait_seconds=3600)
        for value in range(5):
            await _send(batcher, [value])
            await asyncio.sleep(0.001)  # the answer travels back; the next request comes

    asyncio.run(asyncio.wait_for(scenario(), timeout=10))  # one wait would take an hour
    assert model.calls == [1] * 5


def test_a_failing_request_fails_alone() -> None:
    model = Doubler()

    async def scenario() -> list[Any]:
        batcher = Batcher(predict=model, max_rows=1000)
        return await asyncio.gather(
            _send(batcher, [1]), _send(batcher, [-1]), _send(batcher, [3]), return_exceptions=True
        )

    good, bad, other = asyncio.run(scenario())
    assert good == [2]
    assert other == [6]
    assert isinstance(bad, ValueError)


def test_batches_respect_max_rows() -> None:
    model = Doubler()

    async def scenario() -> None:
        batcher = Batcher(predict=model, max_rows=4)
        await asyncio.gather(_send(batcher, [0]), *(_send(batcher, [1, 2, 3]) for _ in range(3)))

    asyncio.run(scenario())
    assert model.calls == [4, 3, 3]


@pytest.mark.parametrize("size", [1, 7])
def test_free_form_records_without_signature(size: int) -> None:
    model = Doubler()

    async def scenario() -> list[Any]:
        batcher = Batcher(predict=model, max_rows=100)
        records = [{"x": n} for n in range(size)]
        return await batcher.predict(ParsedRecords(columns=None, records=records, size=size))

    assert asyncio.run(scenario()) == [2 * n for n in range(size)]


def test_float_arrays_and_lists_share_one_call() -> None:
    """A columnar request's float64 columns merge with a records request's lists."""
    model = Doubler()

    async def scenario() -> list[list[Any]]:
        batcher = Batcher(predict=model, max_rows=100)
        await _send(batcher, [0])  # the next requests then wait for each other
        array = ParsedRecords(columns={"x": np.array([1.0, 2.0])}, records=None, size=2)
        return list(await asyncio.gather(batcher.predict(array), _send(batcher, [3])))

    assert asyncio.run(scenario()) == [[2.0, 4.0], [6.0]]
    assert model.calls == [1, 3]
