"""A class on one small server: N headless students train on a live lab while more work the Bayes page.

    python bench/classroom.py --students 40                  # the class (GAN; --lab backprop / nexttoken)
    python bench/classroom.py --students 30 --scenario open  # 30 students open the Bayes page at once
    python bench/classroom.py --students 4 --seconds 20      # a quick check that everything works
    python bench/classroom.py --students 4 --validate        # headless students against real Chromium ones, then paced
    python bench/classroom.py --students 40 --chromium 3     # 3 of the 40 are real Chromium tabs

The server runs pinned to core 0 (``taskset -c 0 streamlit run app.py``), so its training pool has one
worker on that core; this script and its students run on core 1. Each student is ``tests.student.Student``:
one browser tab's session spoken in Streamlit's own websocket protocol (``streamlit.proto``), rerunning the
live fragment on the schedule the server asks for, as the front end does. The pool writes what it holds to
a file (``PLAYGROUND_POOL_STATS``) that this script reads.

Scenario ``train``, in order:
1. one student's bare training loop alone on core 0 (no page, no server work): the reference rate;
2. N students open the lab and press Train, each at a random moment within ``--spread`` seconds (3 s), as a class
   told to press Train does (their redraw timers then tick out of phase, as a real class's do);
3. while they train, five more students one after another open the Bayes page (page-open time: until its
   posterior is shown), and the last moves its slider ten times (slider → posterior time); each trainer's
   steps/s is read off its page's Step metric over the window (what the student sees); the pool's own count
   of every trainer's steps gives the class's total;
4. the server's and its workers' unique memory (USS) with N trainers;
5. every tab closes; for up to 60 s the memory and the pool's trainers are watched.
Scenario ``open``: N students open the Bayes page at the same moment; page_open_p95_s is theirs.

For a student whose view stood still (0 steps/s), the script prints what its page shows and the last run messages
it got; with ``CLASSROOM_DUMP=1`` (and py-spy installed) it also saves a dump of the server's threads.

Last line: ``students=<n> page_open_p95_s=<s> slider_p95_s=<s> steps_per_s_min=<r> steps_per_s_median=<r>
aggregate_ratio=<r> uss_mb=<MB> uss_mb_per_trainer=<MB> uss_mb_after_close=<MB> trainers_after_close=<n>``
(``aggregate_ratio``: the sum of the students' steps/s, as the pool counts them, over the bare loop's, same core,
same run (the pages' Step metrics lag by up to one redraw interval; their sum is printed too);
``uss_mb_per_trainer``: (USS with the class − USS before it) / N, the worker's own torch included).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
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
BARE = {  # one trainer's loop with no page, as the pool's worker runs it (its process settings included)
    "gan": "from core.gan import model as gan\nt = gan.build_trainer(gan.GanSettings())\n",
    "backprop": "from core.backprop import mlp as mr\nfrom core.backprop.data import DataSettings\n"
                "t = mr.build_trainer(DataSettings(), mr.MLPSettings(batch_size=None))\n",
    "nexttoken": "from core.nexttoken import gpt\nt = gpt.build_trainer(gpt.NextTokenJob())\n",
}
LOOP = ("for _ in range(20): t.step()\nn = 0; a = time.perf_counter()\n"
        "while time.perf_counter() - a < SECONDS: t.step(); n += 1\n"
        "print(n / (time.perf_counter() - a))\n")
POSTERIOR = "P(rain | umbrella)"


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(round(0.95 * len(values))) - 1)] if values else float("nan")


def start(port: int, stats: Path) -> subprocess.Popen:
    log = tempfile.NamedTemporaryFile(prefix="classroom-", suffix=".log", delete=False)  # noqa: SIM115
    cmd = ["taskset", "-c", "0", sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"]
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               env=dict(os.environ, PYTHONUNBUFFERED="1", PLAYGROUND_POOL_STATS=str(stats)))
    deadline = time.perf_counter() + 90
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server not healthy; log in {log.name}")


def stop(server: subprocess.Popen) -> None:
    """End the server and its training workers."""
    for p in reversed(tree(server.pid)):
        try:
            p.kill()
        except psutil.Error:
            pass


def pool_stats(stats: Path) -> dict:
    try:
        return json.loads(stats.read_text())
    except (OSError, ValueError):
        return {"workers": [], "trainers": 0, "queued": 0}


def wait_until(condition, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if condition():
            return True
        time.sleep(1.0)  # polling another process's memory and files: there is no event to wait on
    return condition()


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


def cpu_split(pid: int) -> dict[str, float]:
    """CPU seconds used so far by the server process and by its training workers."""
    out = {"server": 0.0, "workers": 0.0}
    for p in tree(pid):
        try:
            t = p.cpu_times()
            out["workers" if "core.training.worker" in " ".join(p.cmdline()) else "server"] += t.user + t.system
        except psutil.Error:
            pass
    return out


def step_number(text: str | None) -> int:
    """A shown Step metric ("1,234") as a number (0 when there is none)."""
    return int("".join(ch for ch in text or "" if ch.isdigit()) or 0)


def step_of(student: Student) -> int:
    return step_number(student.metric("Step"))


def bare_rate(lab: str, seconds: float) -> float:
    code = f"import time\nfrom core import runtime\nruntime.configure()\nSECONDS = {seconds}\n" + BARE[lab] + LOOP
    out = subprocess.run(["taskset", "-c", "0", sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    return float(out.stdout.strip().splitlines()[-1])


def open_bayes(port: int, timeout: float = 300) -> tuple[Student, float]:
    """A new student opens the Bayes page; seconds until its posterior is on the page."""
    student = Student(port)
    t0 = time.perf_counter()
    student.open("Bayes_rule", timeout=timeout)
    student.wait_for(lambda: student.metric(POSTERIOR) is not None, timeout)
    return student, time.perf_counter() - t0


class ChromiumStudents:
    """``n`` real Chromium tabs, each its own browser context, that open the lab and press Train; ``sample()``
    reads every tab's shown Step (what a person sees) so the window can count how often each view changed."""

    def __init__(self, n: int, port: int, page: str, train_key: str,
                 viewport: tuple[int, int] = (1280, 900)) -> None:
        from tests import browser as harness

        self._browser_cm = harness.browser()
        browser = self._browser_cm.__enter__()
        self.train_key, self.tabs, self.seen = train_key, [], []
        for _ in range(n):
            tab = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}).new_page()
            t0 = time.perf_counter()
            tab.goto(f"http://127.0.0.1:{port}/{page}", timeout=300_000)
            self._train_button(tab).wait_for(timeout=300_000)
            self.tabs.append((tab, time.perf_counter() - t0))
            self.seen.append([])

    def _train_button(self, tab):
        return tab.locator(f".st-key-{self.train_key.replace('.', '-')} button").first

    def press_train(self) -> None:
        for tab, _ in self.tabs:
            self._train_button(tab).click()

    def step(self, i: int) -> int:
        tab = self.tabs[i][0]
        try:
            text = tab.locator('[data-testid="stMetric"]').filter(has_text="Step").first.locator(
                '[data-testid="stMetricValue"]').inner_text(timeout=2_000)
        except Exception:  # noqa: BLE001 - between two redraws the metric may be replaced
            return self.seen[i][-1][1] if self.seen[i] else 0
        return step_number(text)

    def sample(self) -> None:
        for i in range(len(self.tabs)):
            self.seen[i].append((time.perf_counter(), self.step(i)))

    def report(self) -> list[tuple[float, float, int]]:
        """Per tab: steps/s shown over the window, seconds between changes of the shown Step, changes seen."""
        out = []
        for seen in self.seen:
            (t0, s0), (t1, s1) = seen[0], seen[-1]
            changes = [t for (t, s), (_, prev) in zip(seen[1:], seen, strict=False) if s != prev]
            gap = (t1 - t0) / len(changes) if changes else float("inf")
            out.append(((s1 - s0) / max(t1 - t0, 1e-9), gap, len(changes)))
        return out

    def close(self) -> None:
        for tab, _ in self.tabs:
            tab.context.close()
        self._browser_cm.__exit__(None, None, None)


def press_at_random_moments(students: list[Student], key: str, spread: float, seed: int = 0) -> None:
    """Each student presses ``key`` at a random moment within ``spread`` seconds, as a class does when told to
    press Train. Pressed within milliseconds of each other, the students' redraw timers would tick in step and the
    server would serve their reruns in batches: cheaper than a class whose timers are out of phase."""
    rng = random.Random(seed)
    start = time.perf_counter()
    for at, st in sorted(zip((rng.uniform(0, spread) for _ in students), students, strict=True),
                         key=lambda pair: pair[0]):
        time.sleep(max(0.0, start + at - time.perf_counter()))  # the moment this student presses
        st.click(key)


def move_slider(student: Student, times: int = 10) -> list[float]:
    out = []
    for i in range(times):
        before = student.metric(POSTERIOR)
        t0 = time.perf_counter()
        student.set_slider("bayes.p_rain", round(0.2 + 0.05 * (i + 1), 2))
        try:
            student.wait_for(lambda b=before: student.metric(POSTERIOR) not in (None, b), 60)
            out.append(time.perf_counter() - t0)
        except TimeoutError:
            out.append(float("inf"))
    return out


def server_cpu_per_student(port: int, server_pid: int, stats: Path, n: int, page: str, train_key: str,
                           seconds: float, spread: float, chromium: bool,
                           min_interval: float = 0.0) -> tuple[float, float, float]:
    """N students (headless, or real Chromium tabs) open ``page`` and train; the server's own CPU (its workers
    not counted) per student (cores), per live redraw (CPU seconds), and the redraws per student per second,
    over ``seconds``. ``min_interval`` paces headless students' timers to at most one run per that many s."""
    if chromium:
        real = ChromiumStudents(n, port, page, train_key, viewport=(1400, 1000))
        real.press_train()
        close = real.close
    else:
        students = [Student(port, min_interval=min_interval) for _ in range(n)]
        for st in students:
            st.open(page, timeout=300)
        press_at_random_moments(students, train_key, spread)

        def close() -> None:
            for st in students:
                st.close()
    wait_until(lambda: pool_stats(stats)["live"] >= n, 120)
    time.sleep(5)  # the class settles before the window opens
    before, t0, draws = cpu_split(server_pid)["server"], time.perf_counter(), pool_stats(stats)["draws"]
    time.sleep(seconds)  # measuring another process's CPU over a window
    used = (cpu_split(server_pid)["server"] - before) / (time.perf_counter() - t0)
    rate = (pool_stats(stats)["draws"] - draws) / (time.perf_counter() - t0) / n
    close()
    wait_until(lambda: pool_stats(stats)["trainers"] == 0, 90)  # released before the next phase
    kind = "Chromium" if chromium else f"headless paced to {min_interval:.2f} s" if min_interval else "headless"
    print(f"{kind}: server {used:.3f} cores for {n} students, "
          f"{rate:.2f} live redraws per student per second, {used / n / max(rate, 1e-9) * 1000:.1f} ms per redraw")
    return used / n, used / n / max(rate, 1e-9), rate


def validate(args: argparse.Namespace, page: str, train_key: str) -> None:
    """The same class with headless students, with real Chromium tabs, and with headless students paced to the
    redraw rate the Chromium tabs reached: server CPU per student and per redraw. Chromium tabs that share one
    core with each other may redraw less often than the page asks; the paced phase then compares like with like
    (the same redraws per second), which the unpaced one cannot."""
    stats = Path(tempfile.mkdtemp(prefix="classroom-")) / "pool.json"
    port = free_port()
    server = start(port, stats)
    try:
        warm = Student(port)
        warm.open(page)
        warm.close()
        wait_until(lambda: pool_stats(stats)["trainers"] == 0, 120)
        common = (port, server.pid, stats, args.students, page, train_key, args.seconds, args.spread)
        headless = server_cpu_per_student(*common, chromium=False)
        real = server_cpu_per_student(*common, chromium=True)
        paced = server_cpu_per_student(*common, chromium=False, min_interval=1 / max(real[2], 1e-3))
    finally:
        stop(server)
    print(f"students={args.students} headless_server_cores_per_student={headless[0]:.4f} "
          f"chromium_server_cores_per_student={real[0]:.4f} headless_over_chromium={headless[0] / real[0]:.2f} "
          f"headless_ms_per_redraw={headless[1] * 1000:.1f} chromium_ms_per_redraw={real[1] * 1000:.1f} "
          f"per_redraw_ratio={headless[1] / real[1]:.2f} chromium_redraws_per_s={real[2]:.2f} "
          f"paced_redraws_per_s={paced[2]:.2f} paced_over_chromium={paced[0] / real[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--lab", choices=sorted(LABS), default="gan")
    parser.add_argument("--scenario", choices=("train", "open"), default="train")
    parser.add_argument("--seconds", type=float, default=40.0, help="the training window that is measured")
    parser.add_argument("--chromium", type=int, default=0,
                        help="how many of the training students are real Chromium tabs (the rest are headless)")
    parser.add_argument("--spread", type=float, default=3.0,
                        help="the headless students press Train at random moments within this many seconds")
    parser.add_argument("--validate", action="store_true",
                        help="compare the server's CPU per student with headless and with real Chromium students")
    args = parser.parse_args()
    try:
        os.sched_setaffinity(0, {1})
    except OSError:
        pass
    page, train_key = LABS[args.lab]
    if args.validate:
        validate(args, page, train_key)
        return
    n = args.students
    stats = Path(tempfile.mkdtemp(prefix="classroom-")) / "pool.json"

    port = free_port()
    server = start(port, stats)
    opens: list[float] = []
    slider: list[float] = []
    rates: list[float] = [float("nan")]
    bare = pool_rate = float("nan")
    try:
        warm = Student(port)  # the first visit imports the labs' modules: not a student's time
        warm.open(page)
        warm.open("Bayes_rule")
        warm.close()
        # Before the class: the warm-up's trainer released and the pool's worker gone (as on a fresh server).
        wait_until(lambda: not pool_stats(stats)["workers"] and pool_stats(stats)["trainers"] == 0, 120)
        base_uss = uss_mb(server.pid)
        print(f"server before the class: {base_uss:.0f} MB USS, pool {pool_stats(stats)}")

        if args.scenario == "open":
            with ThreadPoolExecutor(max_workers=n) as threads:
                results = list(threads.map(lambda _: open_bayes(port), range(n)))
            opens = [t for _, t in results]
            students = [s for s, _ in results]
            uss = uss_mb(server.pid)
            print(f"{n} students opened the Bayes page at once: p50 {statistics.median(opens):.2f} s, "
                  f"p95 {p95(opens):.2f} s, max {max(opens):.2f} s")
        else:
            bare = bare_rate(args.lab, min(10.0, args.seconds))
            print(f"bare {args.lab} loop on core 0: {bare:.1f} steps/s")
            real = ChromiumStudents(args.chromium, port, page, train_key) if args.chromium else None
            students = [Student(port) for _ in range(n - args.chromium)]
            with ThreadPoolExecutor(max_workers=8) as threads:
                lab_opens = list(threads.map(lambda s: s.open(page, timeout=300), students))
            lab_opens += [t for _, t in real.tabs] if real else []
            if real:
                real.press_train()
            press_at_random_moments(students, train_key, args.spread)
            wait_until(lambda: pool_stats(stats)["trainers"] >= n, 120)
            time.sleep(5)  # everyone has pressed Train: let the class settle before the window opens
            first = [(time.perf_counter(), step_of(s)) for s in students]
            page_runs0 = [s.page_runs for s in students]
            pool0 = (time.perf_counter(), pool_stats(stats))
            cpu0 = cpu_split(server.pid)
            if real:
                real.sample()
            bayes = []
            for _ in range(5):
                student, seconds = open_bayes(port)
                opens.append(seconds)
                bayes.append(student)
                if real:
                    real.sample()
            slider = move_slider(bayes[-1])
            while time.perf_counter() - first[0][0] < args.seconds:
                if real:
                    real.sample()  # the Chromium tabs' shown Step, about twice a second
                time.sleep(0.5 if real else max(0.0, args.seconds - (time.perf_counter() - first[0][0])))
            rates = [(step_of(s) - n0) / (time.perf_counter() - t0)
                     for s, (t0, n0) in zip(students, first, strict=False)]
            pool1 = (time.perf_counter(), pool_stats(stats))
            cpu1, window = cpu_split(server.pid), time.perf_counter() - first[0][0]
            if real:
                real.sample()
                shown = real.report()
                chromium_rates = [r for r, _, _ in shown]
                print("Chromium students (what a person sees): " + "; ".join(
                    f"{r:.1f} steps/s shown, the Step changed {k} times (every {g:.1f} s)" for r, g, k in shown))
                real.close()
            page_runs = sorted(s.page_runs - n0 for s, n0 in zip(students, page_runs0, strict=False))
            print(f"runs of the whole lab page per student over the window: median {statistics.median(page_runs)}, "
                  f"max {page_runs[-1]}")
            headless_rates, rates = rates, rates + (chromium_rates if real else [])
            pool_rate = (pool1[1]["steps"] - pool0[1]["steps"]) / (pool1[0] - pool0[0])
            trainer_cores = (pool1[1]["trainer_cpu_s"] - pool0[1]["trainer_cpu_s"]) / (pool1[0] - pool0[0])
            print(f"the class's steps/s: {pool_rate:.1f} as the pool counts them, {sum(rates):.1f} as the pages show "
                  f"them; bare loop {bare:.1f}; the trainers' own steps and snapshots used {trainer_cores:.2f} cores, "
                  f"{pool_rate / max(trainer_cores, 1e-9):.1f} steps per CPU second")
            print("core 0 over the window: " + ", ".join(
                f"{name} {(cpu1[name] - cpu0.get(name, 0.0)) / window:.2f}" for name in cpu1) + " cores")
            uss = uss_mb(server.pid)
            print(f"{args.lab} page open: p50 {statistics.median(lab_opens):.2f} s, p95 {p95(lab_opens):.2f} s; "
                  f"Bayes page open while they train: {', '.join(f'{t:.2f}' for t in opens)} s; "
                  f"slider → posterior p50 {statistics.median(slider):.2f} s, p95 {p95(slider):.2f} s")
            print("steps/s of each student, slowest first: " + ", ".join(f"{r:.1f}" for r in sorted(rates)))
            for s, r in zip(students, headless_rates, strict=True):
                if r == 0:  # say what such a page shows
                    try:
                        label = s.widget(train_key)[1].label
                    except KeyError:
                        label = "no Train button"
                    notes = [getattr(e, e.WhichOneof("type")).body[:90] for e in s.elements.values()
                             if e.WhichOneof("type") in ("alert", "text", "markdown")][4:12]
                    print(f"  a student at 0 steps/s: button {label!r}, Step {s.metric('Step')!r}, runs "
                          f"{s.runs_finished}, fragments {s.fragments}, {notes}")
                    print("    its last messages: " + "; ".join(map(str, list(s.log)[-12:])))
                    print("    its elements: " + ", ".join(e.WhichOneof("type") for e in s.elements.values()))
            if 0 in headless_rates and os.environ.get("CLASSROOM_DUMP") and shutil.which("py-spy"):
                dump = Path(tempfile.mkdtemp(prefix="classroom-")) / "server-threads.txt"
                dump.write_text(subprocess.run(["py-spy", "dump", "--pid", str(server.pid)], capture_output=True,
                                               text=True).stdout)
                print(f"  the server's threads: {dump}")
            print(f"steps/s per student: min {min(rates):.1f}, median {statistics.median(rates):.1f}, "
                  f"sum {sum(rates):.1f}; USS {uss:.0f} MB; pool {pool_stats(stats)}")
            students += bayes  # the Bayes visitors close with the class

        for s in students:
            s.close()
        closed = time.perf_counter()
        wait_until(lambda: pool_stats(stats)["trainers"] + pool_stats(stats)["queued"] == 0
                   and uss_mb(server.pid) - base_uss < 50, 60)
        after = uss_mb(server.pid)
        left_over = pool_stats(stats)
        trainers = left_over["trainers"] + left_over["queued"]
        print(f"{time.perf_counter() - closed:.0f} s after the last tab closed: {after:.0f} MB USS, pool {left_over}")
    finally:
        stop(server)

    ratio = pool_rate / bare if args.scenario == "train" else float("nan")
    print(f"students={n} page_open_p95_s={p95(opens):.2f} slider_p95_s={p95(slider):.2f} "
          f"steps_per_s_min={min(rates):.1f} steps_per_s_median={statistics.median(rates):.1f} "
          f"aggregate_ratio={ratio:.2f} uss_mb={uss:.0f} "
          f"uss_mb_per_trainer={(uss - base_uss) / n:.1f} uss_mb_after_close={after:.0f} "
          f"trainers_after_close={trainers}")


if __name__ == "__main__":
    main()
