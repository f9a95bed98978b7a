"""Past the server's cap on trainers a student waits in a queue, told their place, and starts by themselves."""

from __future__ import annotations

import pytest

from core.training import Pool, PoolSettings, set_pool
from tests.app.conftest import assert_clean, open_page, run_until

PAGE = "pages/5_Backprop.py"
KEY = "backprop.runner"


@pytest.fixture
def small_pool():
    pool = Pool(PoolSettings(size=1, max_trainers=1))
    old = set_pool(pool)
    yield pool
    set_pool(old)
    pool.shutdown()


def test_a_student_past_the_cap_is_queued_then_starts(small_pool):
    first = run_until(open_page(PAGE), lambda a: a.session_state[KEY].snapshot is not None, KEY)
    second = open_page(PAGE)
    assert_clean(second)
    assert second.session_state[KEY].queue_position == 1
    info = " ".join(i.value for i in second.info)
    assert "number 1 in the queue" in info and "starts by itself" in info
    first.session_state[KEY].close()  # the first student leaves: the place frees up
    run_until(second, lambda a: a.session_state[KEY].snapshot is not None and not a.info, KEY)
    assert_clean(second)
    assert second.session_state[KEY].queue_position is None
