"""The warehouse side of the pattern-table benchmark, in DuckDB.

    python warehouse.py prepare <export.csv> <copies> <database>
        Loads the generated export and makes the table `leads` of that many
        copies, each copy's numbers shifted so that copies differ.
    python warehouse.py query <database> <query.sql> <result.csv>
        Runs the pattern query and writes its result as CSV with a header,
        as a console's download would; prints the seconds it took and the
        rows written, as JSON.
"""
import json
import sys
import time

import duckdb


def prepare(export, copies, database):
    con = duckdb.connect(database)
    con.execute("DROP TABLE IF EXISTS leads")
    con.execute(f"CREATE TEMP TABLE base AS SELECT * FROM read_csv_auto('{export}')")
    columns = [row[0] for row in con.execute("DESCRIBE base").fetchall()]
    shifted = {
        "Employees": '"Employees" + copy',
        "Page views": '"Page views" + copy % 3',
        "Email clicks": '("Email clicks" + copy) % 12',
        "Created": '"Created" - INTERVAL (copy * 7) DAY',
    }
    select = ", ".join(
        f'{shifted[c]} AS "{c}"' if c in shifted else f'"{c}"' for c in columns
    )
    con.execute(
        f"CREATE TABLE leads AS SELECT {select} FROM base, "
        f"(SELECT range AS copy FROM range({int(copies)}))"
    )
    rows = con.execute("SELECT COUNT(*) FROM leads").fetchone()[0]
    print(json.dumps({"rows": rows}))


def query(database, sql_path, result):
    con = duckdb.connect(database, read_only=True)
    sql = open(sql_path, encoding="utf-8").read().strip().rstrip(";")
    started = time.perf_counter()
    con.execute(f"COPY ({sql}) TO '{result}' (HEADER)")
    seconds = time.perf_counter() - started
    with open(result, encoding="utf-8") as f:
        rows = sum(1 for _ in f) - 1
    print(json.dumps({"seconds": seconds, "patterns": rows, "threads": con.execute("SELECT current_setting('threads')").fetchone()[0]}))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"prepare": prepare, "query": query}[command](*args)
