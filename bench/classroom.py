"""A class on one small server: N headless students train on a live lab while one more works the Bayes page.

    python bench/classroom.py --students 40            # the class (GAN; --lab backprop / nexttoken)
    python bench/classroom.py --students 4 --seconds 20  # a quick check that everything works

The server runs pinned to core 0 (``taskset -c 0 streamlit run app.py``); this script and its students run
on core 1. Each student is ``tests.student.Student``: one browser tab's session spoken in Streamlit's own
websocket protocol (``streamlit.proto``), rerunning the live fragment on the schedule the server asks for,
as the front end does. Scenarios, in order:
1. one student's bare training loop alone on core 0 (no page): the reference rate;
2. N students open the lab and press Train (page-open time of each);
3. while they train, one more student opens the Bayes page (page-open time) and moves its slider ten
   times (slider → posterior time); each trainer's steps/s is read off its page's Step metric;
4. the server's and its children's unique memory (USS) with N trainers;
5. every tab closes; for up to 60 s the memory and the training processes are watched.

Last line: ``students=<n> page_open_p95_s=<s> slider_p95_s=<s> steps_per_s_min=<r> steps_per_s_median=<r>
aggregate_ratio=<r> uss_mb=<MB> uss_mb_per_trainer=<MB> uss_mb_after_close=<MB> trainers_after_close=<n>``
(``aggregate_ratio``: the sum of the students' steps/s over the bare loop's, same core, same run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import free_port  # noqa: E402
from tests.student import Student  # noqa: E402

LABS = {"gan": ("GAN", "gan.train"), "backprop": ("Backprop", "backprop.train"),
        "nexttoken": ("Next_token", "nexttoken.train")}
BARE = {  # one trainer's loop with no page, as the lab's worker runs it
    "gan": "from core import gan, gan_targets as T\n"
           "s = gan.GanSettings(); t = gan.GanTrainer(s, T.make_target(s.target, seed=s.seed))\n"
           "t.train_for(0.5); n0 = t.iteration; a = time.perf_counter()\n"
           "while time.perf_counter() - a < SECONDS: t.train_for(0.1)\n"
           "print((t.iteration - n0) / (time.perf_counter() - a))\n",
}


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(round(0.95 * len(values))) - 1)] if values else float("nan")


def start(port: int) -> subprocess.Popen:
    log = tempfile.NamedTemporaryFile(prefix="classroom-", suffix=".log", delete=False)  # noqa: SIM115
    cmd = ["taskset", "-c", "0", sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"]
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               env=dict(os.environ, PYTHONUNBUFFERED="1"))
    deadline = time.perf_counter() + 90
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server not healthy; log in {log.name}")


def tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def uss_mb(pid: int) -> float:
    total = 0
    for p in tree(pid):
        try:
            total += p.memory_full_info().uss
        except psutil.Error:
            pass
    return total / 2**20


def step_of(student: Student) -> int:
    text = student.metric("Step") or "0"
    digits = "".join(ch for ch in text if ch.isdigit())
    return int(digits or 0)


def bare_rate(lab: str, seconds: float) -> float:
    if lab not in BARE:
        return float("nan")
    code = f"import time\nSECONDS = {seconds}\n" + BARE[lab]
    out = subprocess.run(["taskset", "-c", "0", sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--lab", choices=sorted(LABS), default="gan")
    parser.add_argument("--seconds", type=float, default=30.0, help="the training window that is measured")
    args = parser.parse_args()
    try:
        os.sched_setaffinity(0, {1})
    except OSError:
        pass
    page, train_key = LABS[args.lab]

    port = free_port()
    server = start(port)
    try:
        warm = Student(port)  # the first visit imports the labs' modules: not a student's time
        warm.open(page)
        warm.open("Bayes_rule")
        warm.close()
        time.sleep(3)
        base_uss, base_children = uss_mb(server.pid), len(tree(server.pid)) - 1
        bare = bare_rate(args.lab, min(10.0, args.seconds))
        print(f"bare loop on core 0: {bare:.1f} steps/s; server before the class: {base_uss:.0f} MB USS, "
              f"{base_children} child processes")

        students = [Student(port) for _ in range(args.students)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            opens = list(pool.map(lambda s: s.open(page, timeout=300), students))
        for s in students:
            s.click(train_key)
        time.sleep(3)  # everyone has pressed Train: let the trainers start before the window opens
        first = [(time.perf_counter(), step_of(s)) for s in students]

        bayes = Student(port)
        bayes_open = bayes.open("Bayes_rule", timeout=300)
        slider = []
        for i in range(10):
            before = bayes.metric("P(rain | umbrella)")
            t0 = time.perf_counter()
            bayes.set_slider("bayes.p_rain", 0.2 + 0.05 * (i + 1))
            try:
                bayes.wait_for(lambda b=before: bayes.metric("P(rain | umbrella)") not in (None, b), 60)
                slider.append(time.perf_counter() - t0)
            except TimeoutError:
                slider.append(float("inf"))
        left = args.seconds - (time.perf_counter() - first[0][0])
        if left > 0:
            time.sleep(left)
        rates = [(step_of(s) - n0) / (time.perf_counter() - t0) for s, (t0, n0) in zip(students, first, strict=True)]
        uss = uss_mb(server.pid)
        print(f"page open: p50 {statistics.median(opens):.2f} s, p95 {p95(opens):.2f} s; Bayes page open "
              f"{bayes_open:.2f} s; slider → posterior p50 {statistics.median(slider):.2f} s, p95 {p95(slider):.2f} s")
        print(f"steps/s per student: min {min(rates):.1f}, median {statistics.median(rates):.1f}, "
              f"sum {sum(rates):.1f}; USS {uss:.0f} MB")

        for s in [*students, bayes]:
            s.close()
        closed = time.perf_counter()
        after, trainers = uss, len(tree(server.pid)) - 1 - base_children
        while time.perf_counter() - closed < 60:
            time.sleep(2)
            after, trainers = uss_mb(server.pid), max(0, len(tree(server.pid)) - 1 - base_children)
            if trainers == 0 and after - base_uss < 50:
                break
        print(f"{time.perf_counter() - closed:.0f} s after the last tab closed: {after:.0f} MB USS, "
              f"{trainers} training processes left")
    finally:
        for p in reversed(tree(server.pid)):
            try:
                p.kill()
            except psutil.Error:
                pass

    n = args.students
    print(f"students={n} page_open_p95_s={p95(opens + [bayes_open]):.2f} slider_p95_s={p95(slider):.2f} "
          f"steps_per_s_min={min(rates):.1f} steps_per_s_median={statistics.median(rates):.1f} "
          f"aggregate_ratio={sum(rates) / bare:.2f} uss_mb={uss:.0f} "
          f"uss_mb_per_trainer={(uss - base_uss) / n:.0f} uss_mb_after_close={after:.0f} "
          f"trainers_after_close={trainers}")


if __name__ == "__main__":
    main()
