"""The batch command on the array path: its progress bar, and rows with answers that a
``Context`` converts or refuses, reported as before."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from collab_advisor import Approach, recommend
from collab_advisor._advice.batch import survey
from collab_advisor._cli.app import main


class _Terminal(io.StringIO):
    """Standard error as a terminal, where the progress bar is drawn."""

    def isatty(self) -> bool:
        return True


def test_a_large_batch_on_a_terminal_shows_a_progress_bar_to_the_end(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With standard error on a terminal, a batch of 6,000 rows draws a progress bar that
    reaches every row, and still writes one result per row."""
    source = tmp_path / "rows.csv"
    source.write_text("aim,sites\n" + "share_know_how,4\nredesign_services,\n" * 3000,
                      encoding="utf-8")
    output = tmp_path / "out.csv"
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["batch", str(source), "--output", str(output), "--engine", "python"]) == 0
    drawn = terminal.getvalue()
    assert "6000/6000" in drawn and "row" in drawn
    with output.open(encoding="utf-8", newline="") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == 6000


def test_the_array_path_converts_and_refuses_answers_as_a_context_does() -> None:
    """Answers a Context converts (a yes/no word) give the converted advice, and answers
    it refuses give its error naming the field, row by row among good rows."""
    rows: list[dict[str, Any]] = [
            {"aim": "share_know_how", "single_org_can_solve": "no"},
            {"aim": "share_know_how", "single_org_can_solve": 0},
            {"sites": True},
            {"sites": 2_000_000},
            {"name": "x" * 201},
            {"colour": "blue"},
            {"aim": "share_know_how", "sites": 12, "name": "Ward A"}]
    out = list(survey(rows))
    converted = out[0]
    assert not isinstance(converted, str)
    rec = recommend(aim="share_know_how", single_org_can_solve=False, engine="python")
    assert converted.scores == {a: rec.score_of(a) for a in Approach}
    assert isinstance(out[1], str) and "single_org_can_solve" in out[1]
    assert isinstance(out[2], str) and "sites" in out[2]
    assert isinstance(out[3], str) and "sites" in out[3]
    assert isinstance(out[4], str) and "name" in out[4]
    assert isinstance(out[5], str) and "'colour' is not a context field" in out[5]
    last = out[6]
    assert not isinstance(last, str)
    assert last.top is recommend(rows[6], engine="python").top.approach


def test_repeated_cells_are_read_alike_and_every_bad_row_is_reported() -> None:
    """Cells seen before give the same values, padded or not; a bad cell repeated in
    several rows is that error in each row, naming its first bad cell; names stay text."""
    from collab_advisor._cli.csvinput import parse_csv

    data = (b"name,formality,aim,time_span\n"
            b"Ward A,informal,share,\n"
            b" Ward B , informal ,Share,fixed\n"
            b"Ward C,informal,share,sometime\n"
            b"Ward D,loose,share,sometime\n"
            b"Ward E,informal,share,sometime\n"
            b"Ward F,,,\n")
    rows = parse_csv(data, "rows.csv").rows
    assert [row.number for row in rows] == [2, 3, 4, 5, 6, 7]
    assert rows[0].values == {"name": "Ward A", "formality": "informal",
                              "aim": "share_know_how"}
    assert rows[1].values == {"name": "Ward B", "formality": "informal",
                              "aim": "share_know_how", "time_span": "fixed_term"}
    for row in (rows[2], rows[4]):
        assert row.values is None and row.error is not None
        assert row.error.startswith("time_span: 'sometime'")
    assert rows[3].error is not None and rows[3].error.startswith("formality: 'loose'")
    assert rows[5].values == {"name": "Ward F"}


def test_recommend_many_leaves_the_garbage_collector_as_it_found_it() -> None:
    """recommend_many pauses the cycle collector only while it works: on afterwards if it
    was on, still off if the caller had turned it off."""
    import gc

    from collab_advisor import recommend_many

    assert gc.isenabled()
    items = recommend_many([{"aim": "share_know_how"}, {"aim": "cure_all"}], engine="python")
    assert gc.isenabled()
    assert items[0].ok and not items[1].ok
    gc.disable()
    try:
        recommend_many([{"aim": "share_know_how"}], engine="python")
        assert not gc.isenabled()
    finally:
        gc.enable()
