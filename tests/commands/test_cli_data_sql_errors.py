"""`data prepare --query-file` errors point at the file's own line and speak GoogleSQL."""

from __future__ import annotations

import pytest

SOURCE = "FROM `bigquery-public-data.stackoverflow.posts_questions`\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "-- comment\nSELECT title AS input_text,\n  body AS output_text\n" + SOURCE + "WHERE score >>> 3\n",
            'Syntax error: Unexpected ">" at [5:15] (check line 5 of',
        ),
        (
            "\n\nSELECT title AS input_text, body AS output_text\n" + SOURCE + "WHERE score > 3 3\n",
            'Syntax error: Expected end of input but got integer literal "3" at [5:17]',
        ),
        ("SELECT title AS input_text,\nbody AS output_text\n" + SOURCE + "WHERE\n", "Unexpected end of script at [4:"),
        ("SELECT (title AS input_text\n" + SOURCE, 'Syntax error: Expected ")" but got keyword FROM at [2:1]'),
        ("SELECT title AS input_text, body AS output_text\nFROM " + SOURCE, "Unexpected keyword FROM at [2:6]"),
        ("SELECT title AS input_text, body AS output_text\nFROM FROM x\n", "Unexpected keyword FROM at [2:6]"),
    ],
)
def test_query_file_syntax_errors_name_the_files_line(cli, tmp_path, text, message):
    f = tmp_path / "q.sql"
    f.write_text(text, encoding="utf-8")
    r = cli("data", "prepare", "--query-file", str(f))
    assert r.code == 1 and r.out == ""
    assert message in r.err and "sqlglot" not in r.err and "<class" not in r.err
    assert len(r.err.strip().splitlines()) == 1
