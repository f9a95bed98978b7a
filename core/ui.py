"""The one module in core that imports streamlit: page frame, navigation, URL state, live training.

Every page starts with ``ui.page(...)`` (page config, sidebar navigation, title, what it teaches) and
declares its shareable widgets with ``ui.url_state(controls)`` before drawing them with ``ui.control``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from core import runtime
from core.controls import Control, by_key, format_value
from core.numbers import number

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------------------------------
# Navigation
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Lab:
    """One entry of the sidebar: a page file, its label and icon, and its nav section."""

    path: str
    label: str
    icon: str
    section: str
    teaches: str


SECTIONS = ("Probability", "Classifiers", "Training")
LESSONS_PAGE = "pages/7_Lessons.py"
"""The guided lessons (one page, a lesson selector): drawn as the nav's last section, not a lab."""

LABS: tuple[Lab, ...] = (
    Lab("pages/1_Bayes_rule.py", "Bayes' rule", "🎲", "Probability",
        "Joint vs conditional probability, the product rule, and naive Bayes by hand."),
    Lab("pages/2_Decision_boundaries.py", "Decision boundaries", "🗺️", "Classifiers",
        "Generative and discriminative classifiers side by side on the same data."),
    Lab("pages/3_Loss_surface.py", "Loss surface", "⛰️", "Training",
        "Cross-entropy, its surface, gradient descent on it, and the GAN losses."),
    Lab("pages/4_GAN.py", "Live GAN", "🎭", "Training",
        "A generator and a discriminator learning a distribution while you watch."),
    Lab("pages/5_Backprop.py", "Backpropagation", "🔁", "Training",
        "A small network learning y = sin(x), its backward pass made visible."),
    Lab("pages/6_Next_token.py", "Next-token prediction", "💬", "Training",
        "A bigram model and a tiny transformer learning to finish a sentence."),
)


def existing_labs() -> list[Lab]:
    """The labs whose page file is present: the nav never shows a dead link."""
    return [lab for lab in LABS if (ROOT / lab.path).exists()]


def lab(path: str) -> Lab:
    """Look a lab up by its page path."""
    for entry in LABS:
        if entry.path == path:
            return entry
    raise KeyError(path)


def nav() -> None:
    """Draw the sidebar: Home, then each section with the labs that exist."""
    with st.sidebar:
        st.page_link("app.py", label="Home", icon="🏠")
        labs = existing_labs()
        for section in SECTIONS:
            in_section = [entry for entry in labs if entry.section == section]
            if not in_section:
                continue
            st.markdown(f"**{section}**")
            for entry in in_section:
                st.page_link(entry.path, label=entry.label, icon=entry.icon)
        if (ROOT / LESSONS_PAGE).exists():
            from core import lessons  # plain data, no heavy imports

            st.markdown("**Lessons**")
            for entry in lessons.LESSONS:
                st.page_link(LESSONS_PAGE, label=entry.title, icon="🧑‍🏫", query_params={"lesson": entry.key})
        st.divider()
        projector_switch()
        st.caption("Every setting is in the address bar: copy it to share exactly what you see.")


def page(title: str, icon: str, teaches: str, *, first_screen: bool = True) -> None:
    """Start a page: wide layout, its title and icon, the sidebar, and one line on what it teaches. A page without
    ``first_screen`` (a short one, with no ``first_screen_end``) comes whole in a fresh tab's first run."""
    st.set_page_config(page_title=title, page_icon=icon, layout="wide")
    runtime.configure()  # process-wide settings (threads, warning filter); cheap after the first page
    _note_page()
    _count_first_screen(first_screen)
    nav()
    st.title(f"{icon} {title}")
    st.caption(teaches)


def lab_page(path: str, title: str) -> Lab:
    """``page`` for a lab registered in LABS (icon and teaching line come from the registry)."""
    entry = lab(path)
    page(title, entry.icon, entry.teaches)
    return entry


# --------------------------------------------------------------------------------------------------
# A fresh tab draws its first screen first
# --------------------------------------------------------------------------------------------------
FIRST_SCREEN = "_first_screen"
"""Session state: "drawing" during a fresh tab's first run, "stopped" once that run has stopped at the end of the
first screen, "completing" during the next full run (the whole page, and what the first run said about the link),
"done" from then on (and from the start, for a tab that comes back to a new session with its page)."""
FIRST_SCREEN_COMPONENT = "first_screen"
FIRST_SCREEN_SIGNAL = "first_screen_signal"
"""The signal's key (its element carries the CSS class ``st-key-first_screen_signal`` while the page waits)."""
FIRST_SCREEN_DEADLINE_MS = 4000
"""The signal asks for the rest of the page after this long at the latest, drawn or not."""
FIRST_SCREEN_JS = """
export default function ({ setTriggerValue, data }) {
  // The first screen is drawn when the main area has no element still loading its code (a skeleton), every
  // chart has its drawing, and every picture is decoded; one frame later it is on the screen.
  const main = document.querySelector('[data-testid=stMain]');
  const started = performance.now();
  let done = false;
  const drawn = () => !main || (!main.querySelector('[data-testid=stSkeleton]')
    && [...main.querySelectorAll('[data-testid=stVegaLiteChart], [data-testid=stPlotlyChart]')]
         .every(c => c.querySelector('svg, canvas'))
    && [...main.querySelectorAll('img')].every(i => i.complete));
  const check = () => {
    if (done) return;
    if (drawn() || performance.now() - started > data.deadline_ms) {
      done = true;
      requestAnimationFrame(() => setTimeout(() => setTriggerValue('drawn', true)));
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
  return () => { done = true; };
}
"""


def _count_first_screen(first_screen: bool) -> None:
    """Called at the start of every full run: a fresh tab's first run draws the first screen, the next one all."""
    ss = st.session_state
    state = ss.get(FIRST_SCREEN)
    if state is None:  # the session's first run
        ss[FIRST_SCREEN] = "drawing" if first_screen and not _tab_had_the_page() else "done"
    else:  # the run after the first screen completes it (also when a click cut the first run short before its end)
        ss[FIRST_SCREEN] = "completing" if state in ("drawing", "stopped") else "done"


def _tab_had_the_page() -> bool:
    """The session's first run came with widget values: a tab that already showed the page and came back to a new
    session (its Wi-Fi dropped for longer than the session is kept, the server restarted, its replica went). Its
    page comes whole at once: every widget it sends a value for must be drawn in this run to keep that value."""
    ctx = st.runtime.scriptrunner.get_script_run_ctx()
    try:  # no public way to ask which widget values this run came with
        return len(ctx.session_state._state._new_widget_state) > 0  # noqa: SLF001
    except AttributeError:
        return False


def on_first_screen() -> bool:
    """True while a fresh tab has only its first screen: in the run that draws it, and in any part of it that
    reruns on its own before the next full run (a fragment above ``first_screen_end`` may leave out its lower part
    then; the next run, moments later, draws it)."""
    return st.session_state.get(FIRST_SCREEN) in ("drawing", "stopped")


def first_screen_end() -> None:
    """The end of what a fresh tab draws first (call at the top level of a page, outside fragments).

    In a browser, everything a page sends in one run is drawn in one go: each kind of element loads its code first,
    and a long page's first chart waits for all of it. So a session's first run stops here, and a small component
    waits until the browser has drawn what is above (no element still loading, every chart and picture drawn;
    ``FIRST_SCREEN_DEADLINE_MS`` at most) and then asks for the next run, which draws the whole page. Every later
    run of the whole page, a click on a widget outside the page's own fragments among them, goes straight past this
    line (a widget inside a fragment above it reruns only that fragment, which still leaves out its lower part)."""
    if st.session_state.get(FIRST_SCREEN) != "drawing":
        return
    _first_screen_signal()(key=FIRST_SCREEN_SIGNAL, data={"deadline_ms": FIRST_SCREEN_DEADLINE_MS},
                           on_drawn_change=lambda: None, width="stretch", height=0)
    st.session_state[FIRST_SCREEN] = "stopped"
    st.stop()


@functools.cache
def _first_screen_signal() -> Callable[..., Any]:
    """The component that tells the server the first screen is on the student's screen (no HTML of its own).
    Registered once per process; mounting it registers it again on a new runtime if need be (AppTest)."""
    return st.components.v2.component(FIRST_SCREEN_COMPONENT, js=FIRST_SCREEN_JS, isolate_styles=False)


def page_link(path: str, label: str, icon: str | None = None) -> None:
    """A link to another lab, drawn only if that lab exists (no dead links)."""
    if (ROOT / path).exists():
        st.page_link(path, label=label, icon=icon)


# --------------------------------------------------------------------------------------------------
# State in the URL
# --------------------------------------------------------------------------------------------------
def url_state(controls: Iterable[Control]) -> None:
    """Read the controls' values from the URL at start, and keep the URL in step with them.

    Call before drawing the widgets (``control``): a widget's value comes from ``st.session_state``, which this
    function fills from the query parameter of the control's key (first run of the page) or from its default.
    Values that do not fit are ignored with a warning. After the page has run, the URL holds every key's value.
    """
    controls = list(by_key(controls).values())  # a key declared twice is a mistake: ValueError
    problems: list[str] = []
    for c in controls:
        if c.key in st.session_state:
            continue
        value = c.default
        if c.key in st.query_params:
            raw: str | list[str] = st.query_params.get_all(c.key) if c.is_list else st.query_params[c.key]
            try:
                value = c.parse(raw)
            except (ValueError, TypeError) as err:
                problems.append(f"`{c.key}`: {err}")
        st.session_state[c.key] = list(value) if isinstance(value, list | tuple) else value
    said = st.session_state.setdefault("_url_problems", {})
    if problems:
        said[_current_page()] = problems
    elif st.session_state.get(FIRST_SCREEN) == "completing":  # the first screen said it: the whole page says it too
        problems = said.get(_current_page(), [])
    if problems:
        st.warning("Some settings in the link were ignored: " + "; ".join(problems) + ". Defaults used.")
    keys = [c.key for c in controls]
    st.session_state.setdefault("_url_keys", {})[_current_page()] = keys
    write_url(keys)


def control(where: Any, c: Control, **extra: Any) -> Any:
    """Draw ``c``'s widget in ``where`` (``st`` or a container): its label, range or options from the one
    declaration, its value from the session state under ``c.key``; ``extra`` adds e.g. ``on_change``, ``disabled``."""
    name, args, kwargs = c.widget()
    return getattr(where, name)(*args, **(kwargs | extra))


def control_grid(controls: Sequence[Control], n_columns: int,
                 args_of: Callable[[Control], tuple] | None = None, **extra: Any) -> None:
    """Controls in rows of ``n_columns`` columns; ``args_of(c)``, when given, is each one's ``on_change`` args."""
    cols = st.columns(n_columns)
    for i, c in enumerate(controls):
        control(cols[i % n_columns], c, **extra, **({"args": args_of(c)} if args_of else {}))


def formula_row(*formulas: str) -> None:
    """LaTeX formulas side by side, one column each."""
    for col, tex in zip(st.columns(len(formulas)), formulas, strict=True):
        col.latex(tex)


def metric_row(rows: Sequence[tuple[str, str, str | None]], n_columns: int | None = None) -> None:
    """Metrics side by side from (label, value, help) rows, one column each (``n_columns`` keeps a row's width)."""
    for col, (label, value, help_) in zip(st.columns(n_columns or len(rows)), rows, strict=False):
        col.metric(label, value, help=help_)


def training_problem(handle: Any) -> None:
    """What stops a live trainer: its handle's message or its snapshot's problem; an error when the worker has no
    snapshot or the trainer ran into it (diverged), a warning when there is nothing to train yet (``not ready``)."""
    snap = handle.snapshot
    problem = handle.message or (snap.problem if snap else None)
    if problem:
        (st.error if snap is None or snap.ready else st.warning)(problem)


def number_columns(names: Iterable[str], fmt: str = "%.3f") -> dict[str, Any]:
    """A table's ``column_config`` that shows these columns as numbers in ``fmt``."""
    return {name: st.column_config.NumberColumn(format=fmt) for name in names}


def write_url(keys: Iterable[str]) -> None:
    """Write the current values of ``keys`` to the query string (no rerun if unchanged)."""
    for key in keys:
        if key not in st.session_state:
            continue
        text = format_value(st.session_state[key])
        current = st.query_params.get_all(key) if isinstance(text, list) else st.query_params.get(key)
        if current != text:
            st.query_params[key] = text


def sync_url() -> None:
    """Write the current page's URL keys again (call at the end of a page, after its widgets ran)."""
    keys = st.session_state.get("_url_keys", {}).get(_current_page(), [])
    write_url(keys)


def _current_page() -> str:
    try:
        ctx = st.runtime.scriptrunner.get_script_run_ctx()
        return str(ctx.page_script_hash) if ctx is not None else ""
    except Exception:  # pragma: no cover - outside a Streamlit run
        return ""


def rerun_fragments(fragments: Sequence[str] | None) -> None:
    """From a widget's callback: rerun only these fragments (by key) after it; the usual rerun when None, or when
    one of them is not on the page."""
    from streamlit.errors import StreamlitAPIException

    if not fragments:
        return
    try:
        st.rerun(list(fragments))
    except StreamlitAPIException:  # one of them is not on the page: the usual rerun
        pass


# --------------------------------------------------------------------------------------------------
# Teaching blocks
# --------------------------------------------------------------------------------------------------
def what_you_see(text: str) -> None:
    """The "what you see" note under a figure."""
    st.markdown(f"**What you see.** {text}")


def notes(messages: Iterable[tuple[str, str]]) -> None:
    """Messages as (kind, text), kind one of ``error``, ``warning``, ``info``, ``success``, ``caption``, each drawn as
    that."""
    for kind, text in messages:
        {"error": st.error, "warning": st.warning, "info": st.info, "success": st.success, "caption": st.caption}[kind](text)


def try_this(prompts: Sequence[str]) -> None:
    """A "try this" box of prompts whose outcome really happens."""
    with st.container(border=True):
        st.markdown("**Try this**")
        st.markdown("\n".join(f"- {p}" for p in prompts))


fmt = number
"""A number for a student (``core.numbers.number``): fixed digits, never "nan" or "inf"."""


# --------------------------------------------------------------------------------------------------
# Live training (GAN, backprop, next-token labs, long work): this session's handles on the shared pool
# --------------------------------------------------------------------------------------------------
REDRAW_BUDGET = 0.12
"""Script CPU (cores) that all sessions' live redraws may use together (the pool also holds the whole server
process to ``PoolSettings.redraw_budget``: see ``redraw_interval``)."""


def _session_id() -> str | None:
    ctx = st.runtime.scriptrunner.get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def _session_alive(session_id: str) -> bool | None:
    """Whether a browser session is still connected (None outside a running server, e.g. in AppTest)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    return Runtime.instance().is_active_session(session_id)


_PAGE_OF_SESSION: dict[str, str] = {}
"""The page each session last ran whole (its script hash), for ``_rerun_stalled``."""


def _note_page() -> None:
    """Remember which page this session is on (forgetting sessions that have ended, now and then)."""
    ctx = st.runtime.scriptrunner.get_script_run_ctx()
    if ctx is None:
        return
    _PAGE_OF_SESSION[ctx.session_id] = ctx.page_script_hash
    if len(_PAGE_OF_SESSION) > 500:
        for session_id in list(_PAGE_OF_SESSION):
            if _session_alive(session_id) is False:
                _PAGE_OF_SESSION.pop(session_id, None)


def _rerun_stalled(session_id: str, page: str | None) -> None:
    """Run a connected session's page again, as its browser last asked for it (no button pressed again), when the
    training pool sees that a running trainer's live view stopped drawing (``Pool.on_stall``) and the student is
    still on that page.

    Streamlit drops what a finished run sent when a new script runner takes over before the server's event loop
    has passed it on (a timed fragment rerun that arrives just then): with a class on a busy server, a click on
    Train could leave its page without the live view's timer, frozen. Streamlit does the same for a rerun on save.
    """
    from streamlit.proto.ClientState_pb2 import ClientState
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return
    info = Runtime.instance()._session_mgr.get_active_session_info(session_id)  # noqa: SLF001 - no public way
    if info is None:
        return
    session = info.session
    last = session._client_state  # noqa: SLF001 - what the browser last asked for
    current = _PAGE_OF_SESSION.get(session_id)
    if page and current and current != page:
        return  # the student is on another page now
    state = ClientState()
    state.CopyFrom(last)  # its widgets' values and the address's query string
    # The page itself from this module's own record: the session's saved client state can be that of an earlier page.
    state.page_script_hash, state.page_name = page or current or last.page_script_hash, ""
    state.fragment_id, state.is_auto_rerun = "", False
    kept = [w for w in state.widget_states.widgets if not w.HasField("trigger_value")]  # no click replayed
    del state.widget_states.widgets[:]
    state.widget_states.widgets.extend(kept)
    session._event_loop.call_soon_threadsafe(session.request_rerun, state)  # noqa: SLF001 - its own loop


def trainer(key: str, factory: Callable[..., Any], *args: Any, lab: str = "") -> Any:
    """This session's ``TrainerHandle`` under ``key``: ``factory(*args)`` built on the server's training pool."""
    from core.training import TrainerHandle, get_pool

    ss = st.session_state
    if key not in ss:
        pool = get_pool()
        pool.session_alive, pool.on_stall = _session_alive, _rerun_stalled
        ctx = st.runtime.scriptrunner.get_script_run_ctx()
        ss[key] = TrainerHandle(factory, *args, session_id=_session_id(), lab=lab or key, pool=pool,
                                page=ctx.page_script_hash if ctx is not None else None)
    return ss[key]


def _in_live_tick() -> bool:
    """True while only a fragment (a live tick) is running, not the whole page."""
    ctx = st.runtime.scriptrunner.get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def live_buttons(handle: Any, prefix: str, on_reset: Callable[[], None]) -> None:
    """Train/Pause (one toggle button), Step and Reset, with callbacks, keyed ``<prefix>.train`` etc.

    Train/Pause and Step act as the buttons showed when drawn, and only in a run of the whole page:
    a click that lands during a live tick reaches its callback twice (in the tick and in the page run
    it asks for), and a toggle run twice would undo itself. The commands are queued: a click returns at once.
    """
    if not handle.fresh and not on_first_screen():  # a fresh tab has clicked nothing yet: nothing to wait for
        handle.wait(0.5)  # the worker's answer to the click first, briefly, so the buttons show where it is
    drawn_running = handle.shown_running = handle.running

    def train_or_pause() -> None:
        if not _in_live_tick():
            (handle.pause if drawn_running else handle.start)()

    def step() -> None:
        if not _in_live_tick():
            handle.step_once()

    _button_row(prefix, "⏸ Pause" if drawn_running else "▶ Train", train_or_pause, step, on_reset)


def _button_row(prefix: str, train_label: str, on_train: Callable[[], None], on_step: Callable[[], None],
                on_reset: Callable[[], None] | None, reset_help: str | None = None) -> None:
    """The Train/Pause, Step and Reset buttons, keyed ``<prefix>.train`` etc. (Reset greyed out without
    ``on_reset``)."""
    cols = st.columns(3)
    cols[0].button(train_label, key=f"{prefix}.train", on_click=on_train, type="primary", width="stretch")
    cols[1].button("⏭ Step", key=f"{prefix}.step", on_click=on_step, width="stretch",
                   help="Exactly one training iteration (pauses training first).")
    cols[2].button("↺ Reset", key=f"{prefix}.reset", on_click=on_reset, disabled=on_reset is None, width="stretch",
                   help=reset_help)


def on_demand_trainer(key: str, factory: Callable[..., Any], *args: Any, lab: str, prefix: str) -> Any | None:
    """This session's trainer under ``key`` if it has one; else None, and the buttons of ``live_buttons`` (Reset
    greyed out) that build ``factory(*args)`` on the training pool when pressed and start it, or make one step. A
    model nobody trains costs the class nothing: no trainer, no build, no polling."""
    ss = st.session_state
    if key in ss:
        return ss[key]

    def build_and(action: str) -> Callable[[], None]:
        def act() -> None:
            if not _in_live_tick():
                getattr(trainer(key, factory, *args, lab=lab), action)()
        return act

    _button_row(prefix, "▶ Train", build_and("start"), build_and("step_once"), None,
                reset_help="There is no model yet: Train or Step builds one.")
    return None


def redraw_interval(handle: Any, every: float) -> tuple[float, int]:
    """Seconds between this session's live redraws, and how many other sessions are training now.

    Alone, ``every``. With n sessions drawing live, all redraws together may cost ``REDRAW_BUDGET`` of a core of
    script time (n × one redraw's measured CPU / budget), and the pool stretches the pace further while the whole
    server process uses more than its budget (``Pool.pace``): the longer of the three."""
    pool = handle.pool
    n = max(1, pool.live_count() + (0 if handle.running else 1))
    stretched = max(n * pool.redraw_cost_s / REDRAW_BUDGET, every * pool.stretch)
    return (round(stretched, 1) if stretched > every * 1.05 else every), n - 1


PACE_S = 8.0
"""How often a live view takes a new pace (``redraw_interval``), and the longest it waits between redraws."""


def inner_interval(wanted: float) -> float | None:
    """The inner fragment's timer for a live view that should redraw every ``wanted`` seconds, or None.

    Each run of the outer fragment (every ``PACE_S``) redraws the view too, so the inner timer makes up the rest:
    1/inner + 1/PACE_S = 1/wanted. From ``PACE_S``/2 on, the outer fragment's runs alone are the pace (one redraw
    every ``PACE_S``), and the view has no timer of its own: two timers would redraw it twice as often as asked."""
    if wanted >= PACE_S / 2:
        return None
    return round(wanted * PACE_S / (PACE_S - wanted), 2)


def live_fragment(handle: Any, draw: Callable[[], None], every: float = 0.25) -> None:
    """Run ``draw`` in a fragment that reruns while ``handle`` trains (or waits for the worker's answer).

    The training goes on in a worker between draws; each tick draws the newest snapshot the worker published
    and asks for the next one. The interval stretches with the number of sessions training (``redraw_interval``),
    and the page says so: an outer fragment takes the new pace every ``PACE_S`` seconds (a redraw, not a run of
    the whole page) and redraws the view as it does, so the view's own timer makes up only the rest of the pace
    (``inner_interval``). When training stops on its own (divergence, a goal, a fault), the whole page reruns once so
    the buttons show the new state. A fresh tab's first screen draws the view once, without a timer: the next run,
    moments later, starts it.
    """
    if on_first_screen():
        st.caption("This view updates by itself while the model trains.")  # the line above the view, as later
        draw()
        return
    if not handle.fresh:
        handle.wait(0.5)  # just after a click: the worker's answer, briefly (a busy worker: the fragment polls)
    was_running = handle.running
    if handle.shown_running not in (None, was_running) and handle.settled:
        st.rerun()  # it stopped (or started) between the buttons and here: draw the buttons again
    waiting = not handle.settled or handle.queue_position is not None

    def paced() -> None:
        interval, others = redraw_interval(handle, every)
        inner = inner_interval(interval)
        interval = PACE_S if inner is None else interval

        def body() -> None:
            started = time.thread_time()
            handle.drawn()
            position = handle.queue_position
            if position is not None:
                st.info(f"The server is training as many models as it can hold for this class. Yours is number "
                        f"{position} in the queue and starts by itself when a place frees up.", icon="⏳")
            elif was_running:  # always one line here, so the pictures below keep their places (updated in place)
                st.caption(f"Live: this view updates every {interval:.2f}".rstrip("0").rstrip(".") + " s" + (
                    f"; {others} other{'s are' if others != 1 else ' is'} training, and the server shares its time "
                    "between everyone's pictures." if interval > every else "."))
            else:
                st.caption("This view updates by itself while the model trains.")
            draw()
            if was_running:
                handle.pool.note_redraw(time.thread_time() - started)
            now_waiting = not handle.settled or handle.queue_position is not None
            if was_running != handle.running or (waiting and not now_waiting and not handle.running):
                st.rerun(scope="app")

        # Waiting for the worker's answer polls twice a second alone, less often as the server's pace stretches (a
        # class of 40 pressing Train at once would otherwise ask 80 times a second while the worker builds).
        if was_running and inner is None:
            body()  # drawn by this fragment's own runs; the inner fragment is gone, and with it the browser's timer
            return
        run_every = inner if was_running else (min(PACE_S, round(0.5 * handle.pool.stretch, 1)) if waiting else None)
        st.fragment(body, run_every=run_every)()

    st.fragment(paced, run_every=PACE_S if was_running else None)()


# --------------------------------------------------------------------------------------------------
# Attention: which head and which position it is written out for
# --------------------------------------------------------------------------------------------------
def attention_picker(prefix: str, n_layer: int, n_head: int, words: Sequence[str]) -> tuple[int, int, int]:
    """Layer, head and query position (0-based) from three select boxes keyed ``<prefix>.layer`` etc.

    Their values are in the session state already: the page's lab settles them first (which position follows the
    prompt, what falls back when the model or the prompt lost a choice), so it can ask for them before this draws."""
    c = st.columns(3)
    layer = c[0].selectbox("Layer", range(n_layer), key=f"{prefix}.layer", format_func=lambda i: f"layer {i + 1}")
    head = c[1].selectbox("Head", range(n_head), key=f"{prefix}.head", format_func=lambda i: f"head {i + 1}")
    query = c[2].selectbox("Query position t", range(len(words)), key=f"{prefix}.query",
                           format_func=lambda i: f"{i}:{words[i]}")
    return int(layer), int(head), int(query)


# --------------------------------------------------------------------------------------------------
# Worked examples: one expander each
# --------------------------------------------------------------------------------------------------
def worked_out(title: str, written: Sequence[Any], note: str) -> None:
    """A section of worked examples: its subheader, ``note`` above them (a caption alone when nothing is written),
    and one expander per entry of ``written``: its ``model``, its ``notes`` (markdown), its ``lines`` (LaTeX) and its
    ``check``."""
    st.subheader(title)
    if not written:
        st.caption(note)
        return
    st.markdown(note)
    for w in written:
        with st.expander(w.model):
            for text in w.notes:
                st.markdown(text)
            for line in w.lines:
                st.latex(line)
            if w.check:
                st.caption(f"Check: {w.check}")


# --------------------------------------------------------------------------------------------------
# Replicas: a session that lost its server
# --------------------------------------------------------------------------------------------------
LOST_TRAINING = ("The server you were on restarted, so your training was lost (everything else is as you left "
                 "it). Press ▶ Train to start again.")


def lost_training_notice(prefix: str, running: bool) -> bool:
    """Tell a student whose replica went away that their trainer is gone; True if it was.

    While ``running``, the URL carries ``<prefix>.training=1``. Behind a load balancer, a browser whose
    replica died reconnects to another one with the same URL but a new, empty session: the URL then says
    "mid-training" while this session never saw that page. Call once per page run, after the runner exists.
    """
    flag, marker = f"{prefix}.training", f"_{prefix}.lost"
    if marker not in st.session_state:  # this session's first run of the page: was it mid-training?
        st.session_state[marker] = lost = st.query_params.get(flag) == "1"
    else:  # said on a fresh tab's first screen: said again on the whole page that follows it
        lost = st.session_state[marker] and st.session_state.get(FIRST_SCREEN) == "completing"
    if running:
        if st.query_params.get(flag) != "1":
            st.query_params[flag] = "1"
    elif flag in st.query_params:
        del st.query_params[flag]
    if lost:
        st.warning(LOST_TRAINING, icon="🔄")
    return lost


# --------------------------------------------------------------------------------------------------
# Projector mode: one switch (sidebar toggle and ?projector=1), kept per session, never process-wide
# --------------------------------------------------------------------------------------------------
PROJECTOR_KEY = "projector"


def projector_mode() -> bool:
    """Whether this session is in projector mode: the URL's ``projector`` on first run, then the toggle."""
    ss = st.session_state
    if "_projector" not in ss:
        raw = st.query_params.get(PROJECTOR_KEY, "0")
        ss["_projector"] = str(raw).strip().lower() in ("1", "true", "yes", "on")
    return bool(ss["_projector"])


def projector_switch() -> bool:
    """The sidebar toggle, the URL parameter kept in step, and the page CSS for projector mode."""
    from core.style import get_style

    on = projector_mode()

    def flip() -> None:
        st.session_state["_projector"] = bool(st.session_state[f"{PROJECTOR_KEY}.toggle"])

    st.session_state[f"{PROJECTOR_KEY}.toggle"] = on
    st.sidebar.toggle("📽️ Projector mode", key=f"{PROJECTOR_KEY}.toggle", on_change=flip,
                      help="Larger text, thicker lines and colour-blind-safe colours for a classroom projector.")
    if on:
        if st.query_params.get(PROJECTOR_KEY) != "1":
            st.query_params[PROJECTOR_KEY] = "1"
        st.html(projector_css(get_style(True).page_font_scale))
    elif PROJECTOR_KEY in st.query_params:
        del st.query_params[PROJECTOR_KEY]
    return on


def projector_css(scale: float) -> str:
    """The page CSS of projector mode. Streamlit sizes its text in rem, so the root font size scales all of
    the page's text, widgets and spacing at once; the sidebar is zoomed back to about its normal size (its
    navigation stays whole and the main area keeps the width), the main area uses the full width with less
    padding above, and metric labels and values wrap instead of being cut short with an ellipsis."""
    return (f"<style>html {{font-size: {scale * 100:.0f}%;}}"
            f" [data-testid=stSidebar] {{zoom: {1 / scale:.3f};}}"
            " [data-testid=stMainBlockContainer] {max-width: 100%; padding-top: 2.5rem;"
            " padding-left: 2rem; padding-right: 2rem;}"
            " [data-testid=stMetricLabel], [data-testid=stMetricLabel] *, [data-testid=stMetricValue],"
            " [data-testid=stMetricValue] * {white-space: normal !important;"
            " overflow: visible !important; text-overflow: clip !important; height: auto !important;}"
            "</style>")


def figure_style() -> Any:
    """This session's ``core.style.Style`` for figure builders (``style=ui.figure_style()``)."""
    from core.style import get_style

    return get_style(projector_mode())


def plotly_chart(where: Any, fig: Any, **kwargs: Any) -> Any:
    """``where.plotly_chart(fig)`` (``where`` is ``st`` or a container) in this session's style: in projector
    mode a restyled copy (``core.style.restyle_plotly``), else ``fig`` as it is."""
    from core.style import restyle_plotly

    return where.plotly_chart(restyle_plotly(fig, figure_style()), **kwargs)


def vega_lite_chart(where: Any, spec: dict, **kwargs: Any) -> Any:
    """``where.vega_lite_chart(spec)`` in this session's style (``core.style.restyle_vega``)."""
    from core.style import restyle_vega

    return where.vega_lite_chart(spec=restyle_vega(spec, figure_style()), **kwargs)
