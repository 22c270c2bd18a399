"""Work shared with a forked child (bot/two_cores.py), and a long history linted the same on one core as on two.

Each case runs in a fresh process: pytest's own may run other threads, and then nothing is forked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import git

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "bench" / "corpus.py"
TWO_CORES = (
    len(os.sched_getaffinity(0)) > 1 if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1) > 1
)


def _python(code: str, *args: str, one_core: bool = False) -> subprocess.CompletedProcess[str]:
    # `slow`: work that takes long enough for a child to pay (a fork and reading back cost about 15 ms)
    prelude = (
        "import os, time\ndef slow(f, seconds=0.01):\n    return lambda n: (time.sleep(seconds), f(n))[1]\n"
    )
    if one_core:
        prelude += "os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    environment = {**os.environ, "PYTHONPATH": path, "MIGRATION_REVIEW_CACHE_DIR": "off"}
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        check=False,
    )


def _results(code: str) -> dict[str, object]:
    done = _python(code)
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return found


def test_the_later_items_are_computed_by_a_child_and_come_back_in_order() -> None:
    found = _results(
        """
        import json
        from bot.two_cores import in_two
        results = in_two(slow(lambda n: (n * n, os.getpid())), list(range(40)), minimum=10)
        print(json.dumps({"squares": [s for s, _ in results], "pids": sorted({p for _, p in results}),
                          "me": os.getpid(), "last": results[-1][1], "first": results[0][1]}))
        """
    )
    assert found["squares"] == [n * n for n in range(40)]
    assert found["first"] == found["me"]
    if TWO_CORES:
        assert found["last"] != found["me"]
        assert len(found["pids"]) == 2  # type: ignore[arg-type]
    else:
        assert found["pids"] == [found["me"]]


def test_the_parts_follow_the_weights_of_the_items() -> None:
    found = _results(
        """
        import json
        from bot.two_cores import in_two
        sizes = [1] * 30 + [30]
        results = in_two(slow(lambda n: os.getpid(), 0.005), sizes, weight=lambda n: n, minimum=10)
        print(json.dumps({"mine": sum(1 for p in results if p == os.getpid()), "all": len(results)}))
        """
    )
    # the last item weighs as much as all the others: the parent computes those, the child the last one
    assert found == {"mine": 30 if TWO_CORES else 31, "all": 31}


def test_work_that_goes_fast_stays_in_one_process() -> None:
    """The first tenth tells how long the rest would take: less than a fork costs, and nothing is forked."""
    found = _results(
        """
        import json
        from bot.two_cores import in_two
        results = in_two(lambda n: os.getpid(), list(range(2000)), minimum=10)
        print(json.dumps({"pids": sorted(set(results)), "me": os.getpid(), "all": len(results)}))
        """
    )
    assert found["pids"] == [found["me"]] and found["all"] == 2000


def test_a_child_that_fails_leaves_its_part_to_the_parent() -> None:
    found = _results(
        """
        import json
        from bot.two_cores import in_two
        parent = os.getpid()

        def work(n):
            time.sleep(0.01)
            if os.getpid() != parent:
                raise RuntimeError("the child trips")
            return n + 1

        def unpicklable(n):
            time.sleep(0.05)
            return (lambda: n) if os.getpid() != parent else n

        print(json.dumps({"raised": in_two(work, list(range(20)), minimum=1),
                          "unpicklable": [f() if callable(f) else f for f in in_two(unpicklable, [5, 6, 7, 8])]}))
        """
    )
    assert found == {"raised": list(range(1, 21)), "unpicklable": [5, 6, 7, 8]}


def test_an_error_in_the_parents_part_is_raised_and_the_child_reaped() -> None:
    found = _results(
        """
        import json
        from bot.two_cores import in_two

        def work(n):  # the first item is computed before the fork, the failing one after it
            time.sleep(0.05)
            if n == 3:
                raise ValueError("the fourth item is wrong")
            return n

        try:
            in_two(work, list(range(10)), minimum=1)
            raised = ""
        except ValueError as error:
            raised = str(error)
        try:
            os.waitpid(-1, os.WNOHANG)
            children = "some"
        except ChildProcessError:
            children = "none"
        print(json.dumps({"raised": raised, "children": children}))
        """
    )
    assert found == {"raised": "the fourth item is wrong", "children": "none"}


def test_small_inputs_and_a_process_running_other_threads_stay_in_one_process() -> None:
    found = _results(
        """
        import json, threading
        from bot.two_cores import in_two
        small = in_two(slow(lambda n: os.getpid()), list(range(40)), minimum=41)
        stop = threading.Event()
        other = threading.Thread(target=stop.wait)
        other.start()
        threaded = in_two(slow(lambda n: os.getpid()), list(range(40)), minimum=1)
        stop.set()
        other.join()
        print(json.dumps({"small": sorted(set(small)), "threaded": sorted(set(threaded)), "me": os.getpid()}))
        """
    )
    assert found["small"] == found["threaded"] == [found["me"]]


def test_a_long_history_lints_the_same_on_one_core_as_on_two(tmp_path: Path) -> None:
    """Past the sizes from which lint reads, checks, writes queries and writes snapshots on two cores (200
    files: about 290 KB, 1,900 operations, 109 statements whose data a rollback loses), the report is the
    same, byte for byte, as one process's."""
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(tmp_path), "--files", "200", "--seed", "11"],
        check=True,
        capture_output=True,
    )
    paths = json.loads((tmp_path / "corpus.json").read_text())["paths"]
    files = [str(tmp_path / name) for name in paths]
    lint = """
        import sys
        from bot.cli import main
        sys.exit(main(["lint", *sys.argv[1:], "--format", "json", "--exit-zero"]))
        """
    two, one = _python(lint, *files), _python(lint, *files, one_core=True)
    assert two.returncode == one.returncode == 0, two.stderr + one.stderr
    report = json.loads(two.stdout)
    assert len(report["findings"]) > 1000 and len(report["verification_queries"]) > 400
    assert sum(len(Path(f).read_text()) for f in files) > 100_000
    assert sum(m["operations"] for m in report["migrations"]) > 1000
    snapshots = [s for s in report["rollback_plan"] if s.get("command", "").startswith("CREATE TABLE")]
    assert len(snapshots) > 100
    assert two.stdout == one.stdout


def test_the_collector_is_left_as_it_was_found() -> None:
    """Objects are frozen for the child's sake only: the parent's become collectable again, and objects a
    process froze itself stay frozen."""
    found = _results(
        """
        import gc, json
        from bot.two_cores import in_two
        in_two(slow(lambda n: [n] * 3), list(range(40)), minimum=1)
        unfrozen = gc.get_freeze_count()
        kept = [[n] for n in range(1000)]
        gc.freeze()
        before = gc.get_freeze_count()
        in_two(slow(lambda n: [n] * 3), list(range(40)), minimum=1)
        print(json.dumps({"unfrozen": unfrozen, "kept": gc.get_freeze_count() == before > 0}))
        """
    )
    assert found == {"unfrozen": 0, "kept": True}


def test_a_search_of_a_commit_finds_the_same_places_on_one_core_as_on_two(tmp_path: Path) -> None:
    """The places a dropped column's name is found in a commit read from git (3,000 of them in 300 files)
    are judged by a forked child as well on two cores: the review is the same, byte for byte."""
    (tmp_path / "db/migrations").mkdir(parents=True)
    (tmp_path / "db/migrations/000001_orders.up.sql").write_text(
        "CREATE TABLE orders (id bigint PRIMARY KEY, legacy_status text, total int);\n"
        "CREATE TABLE invoices (id bigint PRIMARY KEY, legacy_status text);\n"
    )
    for n in range(300):
        lines = [f"export function show{n}(order: Order, invoice: Invoice) {{"]
        for k in range(5):
            lines += [
                f"  const a{k} = order.legacy_status ?? invoice.legacy_status;",
                f'  await db.query("SELECT legacy_status FROM orders WHERE id = {k}");',
            ]
        (tmp_path / f"src/orders_{n}.ts").parent.mkdir(exist_ok=True)
        (tmp_path / f"src/orders_{n}.ts").write_text("\n".join([*lines, "}"]) + "\n")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "init")
    (tmp_path / "db/migrations/000002_drop.up.sql").write_text(
        "ALTER TABLE orders DROP COLUMN legacy_status;\n"
    )
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "drop")
    bare = tmp_path / "bare.git"  # no work tree to search instead of the commit
    git(tmp_path, "clone", "-q", "--bare", str(tmp_path), str(bare))
    review = """
        import os, sys
        forks = []
        fork = os.fork
        os.fork = lambda: (forks.append(os.getpid()), fork())[1]
        from bot.cli import main
        code = main(["review", "--repo", sys.argv[1], "--base", "HEAD^", "--head", "HEAD", "--format", "json"])
        print(len(forks), file=sys.stderr)
        """
    two, one = _python(review, str(bare)), _python(review, str(bare), one_core=True)
    assert two.stdout == one.stdout and two.stdout, two.stderr + one.stderr
    references = [r for f in json.loads(two.stdout)["findings"] for r in f.get("references", [])]
    assert len(references) > 100
    assert one.stderr.split()[-1] == "0"
    if TWO_CORES:
        assert int(two.stderr.split()[-1]) > 0


def test_a_search_asked_for_one_process_forks_none() -> None:
    """`workers=1` keeps the search of a tree in memory (a commit's, or the base texts of the changed files) in
    one process; by default its places are judged by two where a second core is there, to the same uses."""
    found = _results(
        """
        import json
        forks = []
        fork = os.fork
        os.fork = lambda: (forks.append(1), fork())[1]
        from bot.model.changeset import MemoryTree
        from bot.references.search import Target, search
        line = "  total += order.legacy_status ? 1 : 0;\\n"
        tree = MemoryTree({f"src/orders_{n}.ts": line * 12 for n in range(300)})
        target = Target("column", "orders", "legacy_status")
        one = search(tree, (target,), workers=1)
        alone = len(forks)
        two = search(tree, (target,))
        print(json.dumps({"alone": alone, "shared": len(forks) - alone, "uses": len(one.uses(target)),
                          "same": one.uses(target) == two.uses(target)}))
        """
    )
    assert found["alone"] == 0 and found["same"] and found["uses"] == 3600
    if TWO_CORES:
        assert found["shared"] > 0
