"""A command's flow run sends no heartbeats (flows.without_heartbeats, which kbetl.cli runs every flow under): the
engine reads their interval from the settings of the run, and None sends none. Runs elsewhere keep Prefect's."""

from prefect import flow
from prefect.settings import get_current_settings

from flows import without_heartbeats


@flow
def heartbeat_interval() -> int | None:
    return get_current_settings().flows.heartbeat_frequency


def test_a_run_under_without_heartbeats_sends_none_and_others_keep_theirs():
    with without_heartbeats():
        assert heartbeat_interval() is None
    assert heartbeat_interval() == get_current_settings().flows.heartbeat_frequency >= 30
