"""A headless student: speaks Streamlit's own websocket protocol (``streamlit.proto``), no browser.

It does what the front end does: connects to ``/_stcore/stream`` with the ``streamlit`` subprotocol,
asks for a page with ``rerun_script`` (page name / script hash and query string), keeps the newest
element per delta path, presses widgets by id through ``WidgetStates``, and reruns every fragment the
server marks with ``auto_rerun`` (``run_every``) after each interval, with ``fragment_id`` and
``is_auto_rerun`` set, as the front end's timer does: a repeating timer per fragment (``setInterval``), started when
its ``auto_rerun`` arrives, kept while the interval stays the same, stopped by ``stop_auto_rerun`` and by a run of
the whole page. A fresh tab's page draws its first screen first and waits for the tab's signal that it is drawn
(``ui.first_screen_end``); this tab draws nothing, so it sends that signal as soon as the first screen has arrived.
"""

from __future__ import annotations

import collections
import inspect
import json
import threading
import time
import urllib.parse

from streamlit.components.v2.bidi_component.constants import EVENT_DELIM
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX
from websockets.sync.client import connect

from core.ui import FIRST_SCREEN_COMPONENT

TRIGGERS = ("trigger_value", "json_trigger_value", "string_trigger_value")
"""Widget values the front end sends with one run only (a button press, a component's event)."""


def _is_trigger(state: WidgetState) -> bool:
    return state.WhichOneof("value") in TRIGGERS


def _run_detail(msg: ForwardMsg, kind: str) -> object | None:
    """What ``Student.log`` keeps of a message that changes a run's course; None for every other message."""
    if kind == "new_session":
        return list(msg.metadata.run.fragment_ids)
    if kind == "script_finished":
        return msg.script_finished, list(msg.metadata.run.fragment_ids)
    if kind == "auto_rerun":
        return msg.auto_rerun.fragment_id[-6:], msg.auto_rerun.interval
    if kind == "stop_auto_rerun":
        return [f[-6:] for f in msg.stop_auto_rerun.fragment_ids]
    if kind == "session_event":
        return msg.session_event.WhichOneof("type")
    return None


def _shown_state(kind: str, w: object) -> WidgetState | None:
    """The state the front end holds for a widget it shows and the student has not touched: the value the server
    set (``set_value``) or else the widget's default, in the field its server side reads (``value_type``), the
    options as their shown text. None for widgets the front end only reports when used (buttons, charts' selections,
    uploads, tables) and for an empty choice."""
    state = WidgetState(id=w.id)
    if kind == "slider":
        if w.type == Slider.SELECT_SLIDER:
            shown = list(w.raw_value) if w.set_value else [w.options[int(i)] for i in w.default]
            state.string_array_value.data.extend(shown)
        else:
            state.double_array_value.data.extend(w.value if w.set_value else w.default)
    elif kind == "checkbox":
        state.bool_value = w.value if w.set_value else w.default
    elif kind == "number_input":
        if not (w.set_value or w.HasField("default")):
            return None
        value = w.value if w.set_value else w.default
        if w.data_type == NumberInput.INT:
            state.int_value = int(value)
        else:
            state.double_value = value
    elif kind in ("selectbox", "radio"):
        if w.set_value and w.HasField("raw_value"):
            state.string_value = w.raw_value
        elif not w.set_value and w.HasField("default") and w.default < len(w.options):
            state.string_value = w.options[w.default]
        else:
            return None
    elif kind == "multiselect":
        state.string_array_value.data.extend(w.raw_values if w.set_value else [w.options[i] for i in w.default])
    elif kind in ("text_input", "text_area"):
        if w.set_value and w.HasField("value"):
            state.string_value = w.value
        elif not w.set_value and w.HasField("default"):
            state.string_value = w.default
        else:
            return None
    else:
        return None
    return state


def _widget_of(el: object) -> tuple[str, object | None]:
    """An element's kind and the proto inside it (a widget's carries its ``id``)."""
    kind = el.WhichOneof("type") or ""
    return kind, getattr(el, kind, None) if kind else None


class Student:
    """One browser tab's worth of Streamlit session, driven from Python."""

    def __init__(self, port: int, host: str = "127.0.0.1", min_interval: float = 0.0) -> None:
        self.origin = f"http://{host}:{port}"
        # The tab holds its socket for its whole life, not for one ``with`` block: websockets 17 calls that use
        # "legacy" (and warns without the flag); older releases have no such flag.
        legacy = {"legacy": True} if "legacy" in inspect.signature(connect).parameters else {}
        self.ws = connect(f"ws://{host}:{port}/_stcore/stream", subprotocols=["streamlit"],
                          origin=self.origin, max_size=None, open_timeout=60, **legacy)
        self.elements: dict[tuple, object] = {}   # delta path -> Element
        self.element_fragment: dict[tuple, str] = {}  # delta path -> fragment id ("" for the page)
        self.widget_states: dict[str, WidgetState] = {}
        self.pages: dict[str, str] = {}           # url path -> page_script_hash
        self.page_hash = ""
        self.page_name = ""
        self.query = ""
        self.script_finished = threading.Event()
        self.runs_finished = 0
        self.page_runs = 0  # runs of the whole page (the rest are fragment runs)
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.closed = False
        self._timers: dict[str, tuple[float, threading.Event]] = {}  # fragment_id -> (interval, its stop)
        self.min_interval = min_interval
        """A floor on every timer's period (s): a tab paced to a slower machine's redraw rate (0: as asked)."""
        self.cache: dict[str, ForwardMsg] = {}  # cacheable messages by hash (the front end's message cache)
        self._cache_seen: dict[str, int] = {}  # hash -> the run count when it last arrived or was referred to
        self._cache_runs = 0  # runs finished without error: the cache's clock
        self._cache_max_age = 2  # the server's global.maxCachedMessageAge, from new_session
        self.cached_received = 0  # cacheable messages that arrived whole
        self.cache_misses = 0  # references to a message this tab no longer had (the front end throws on one)
        self._touched: set[tuple] = set()
        self.log: collections.deque = collections.deque(maxlen=40)
        """The last messages that change a run's course (new run, finished, timers), for a benchmark to print."""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    # ---- receiving -------------------------------------------------------------------------------
    def _read(self) -> None:
        try:
            for raw in self.ws:
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                if msg.WhichOneof("type") == "ref_hash":  # a message this tab has: the server sent its hash only
                    cached = self.cache.get(msg.ref_hash)
                    if cached is None:
                        self.cache_misses += 1
                        continue
                    self._cache_seen[msg.ref_hash] = self._cache_runs  # a hit makes the entry young again
                    full = ForwardMsg()
                    full.CopyFrom(cached)
                    full.metadata.CopyFrom(msg.metadata)
                    msg = full
                elif msg.metadata.cacheable and msg.hash:
                    self.cache[msg.hash] = msg
                    self._cache_seen[msg.hash] = self._cache_runs
                    self.cached_received += 1
                self._handle(msg)
        except Exception:  # noqa: BLE001 - a closed socket ends the reader
            pass
        with self.changed:
            self.closed = True
            self.changed.notify_all()

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if (detail := _run_detail(msg, kind)) is not None:
            self.log.append((round(time.perf_counter(), 2), kind, detail))
        with self.changed:
            if kind == "new_session":
                self._touched = set()
                self._cache_max_age = msg.new_session.config.max_cached_message_age or self._cache_max_age
                if not msg.metadata.run.fragment_ids:
                    self.page_runs += 1
                    # A run of the whole page: as the front end does, forget every fragment timer; the run sends
                    # auto_rerun again for each fragment that still has one.
                    self._stop_timers()
                for page in msg.new_session.app_pages:
                    # A page's url path as the server lists it ("Next token") and as a link spells it ("Next_token").
                    for path in {page.url_pathname or "", (page.url_pathname or "").replace(" ", "_")}:
                        self.pages[path] = page.page_script_hash
                self.page_hash = msg.new_session.page_script_hash or self.page_hash
            elif kind == "delta":
                path = tuple(msg.metadata.delta_path)
                which = msg.delta.WhichOneof("type")
                self._touched.add(path)
                if which == "new_element":
                    self.elements[path] = msg.delta.new_element
                    self.element_fragment[path] = msg.delta.fragment_id
                    kind, inner = _widget_of(msg.delta.new_element)
                    if getattr(inner, "set_value", False):
                        # The script set this widget (session state, a preset): the tab holds that value from now
                        # on, as the front end does (later runs send the widget without it, at its default).
                        state = _shown_state(kind, inner)
                        if state is None:
                            self.widget_states.pop(inner.id, None)
                        else:
                            self.widget_states[inner.id] = state
                elif which == "add_block":
                    self.elements.pop(path, None)
            elif kind == "auto_rerun" and msg.auto_rerun.fragment_id:
                self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
            elif kind == "stop_auto_rerun":
                self._stop_timers(list(msg.stop_auto_rerun.fragment_ids))
            elif kind == "script_finished":
                self._drop_stale(list(msg.metadata.run.fragment_ids))
                if msg.script_finished in (ForwardMsg.FINISHED_SUCCESSFULLY,
                                           ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                    self._expire_cache(list(msg.metadata.run.fragment_ids))
                if not msg.metadata.run.fragment_ids:  # the front end's removeInactive: gone widgets' states go
                    shown = {getattr(_widget_of(el)[1], "id", "") for el in self.elements.values()}
                    for id_ in [i for i, s in self.widget_states.items() if i not in shown and not _is_trigger(s)]:
                        self.widget_states.pop(id_)
                self.runs_finished += 1
                self.script_finished.set()
                if not msg.metadata.run.fragment_ids and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                    self._answer_first_screen()
            elif kind == "page_info_changed":  # the script wrote the query string: the tab's URL now holds it
                self.query = msg.page_info_changed.query_string
            elif kind == "session_status_changed" and msg.session_status_changed.script_is_running:
                self.script_finished.clear()
            self.changed.notify_all()

    @property
    def first_screen_pending(self) -> bool:
        """The page drew only its first screen and waits for the tab's signal (``ui.first_screen_end``)."""
        with self.lock:
            return self._first_screen_signal() is not None

    def _first_screen_signal(self) -> object | None:
        """The signal's element on the page, if any (called with the lock held)."""
        for el in self.elements.values():
            if el.WhichOneof("type") == "bidi_component" and el.bidi_component.component_name == FIRST_SCREEN_COMPONENT:
                return el.bidi_component
        return None

    def _answer_first_screen(self) -> None:
        """What the signal's JavaScript does once the browser has drawn the first screen (this tab draws nothing,
        so at once): send its ``drawn`` trigger, which runs the whole page."""
        signal = self._first_screen_signal()
        if signal is None:
            return
        state = WidgetState(id=f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{signal.id}{EVENT_DELIM}events",
                            json_trigger_value=json.dumps([{"event": "drawn", "value": True}]))
        self.widget_states[state.id] = state
        threading.Thread(target=self.rerun, daemon=True, name="first screen drawn").start()

    def _drop_stale(self, fragment_ids: list[str]) -> None:
        """What the front end does at the end of a run: elements the run did not send again are gone (all of the
        page's for a full run, the fragments' own for a fragment run). An element moved to a new place, say
        after a caption was added above it, would otherwise be read at its old place too."""
        for path in [p for p in self.elements if p not in self._touched]:
            if not fragment_ids or self.element_fragment.get(path) in fragment_ids:
                self.elements.pop(path, None)
                self.element_fragment.pop(path, None)

    def _expire_cache(self, fragment_ids: list[str]) -> None:
        """The front end's ``ForwardMsgCache.incrementRunCount``: after a run that finished without error, forget
        the messages not seen for more than ``max_cached_message_age`` runs (after a fragment run, only that
        fragment's), so the hashes sent with the next rerun, and the server's work of sending a message whole
        or by reference, are the browser's."""
        self._cache_runs += 1
        for hash_, seen in list(self._cache_seen.items()):
            fragment = self.cache[hash_].delta.fragment_id if self.cache[hash_].HasField("delta") else ""
            if fragment_ids and fragment not in fragment_ids:
                continue
            if self._cache_runs - seen > self._cache_max_age:
                del self.cache[hash_], self._cache_seen[hash_]

    @property
    def fragments(self) -> dict[str, float]:
        """The fragments this tab reruns on a timer: fragment_id -> interval (s)."""
        with self.lock:
            return {fid: interval for fid, (interval, _) in self._timers.items()}

    def _start_timer(self, fid: str, interval: float) -> None:
        """The front end's ``handleAutoRerun``: the same interval again keeps the running timer (and its phase);
        another replaces it. The timer asks for a run every ``interval`` s whether or not the last one finished
        (the server merges requests that arrive while a run is going)."""
        if fid in self._timers and self._timers[fid][0] == interval:
            return
        self._stop_timers([fid])
        stop = threading.Event()
        self._timers[fid] = (interval, stop)

        period = max(interval, self.min_interval)

        def every() -> None:
            while not stop.wait(period):
                if self.closed:
                    return
                self.rerun(fragment_id=fid, auto=True)

        threading.Thread(target=every, daemon=True, name=f"auto-rerun {fid[:8]}").start()

    def _stop_timers(self, fids: list[str] | None = None) -> None:
        for fid in list(self._timers) if fids is None else fids:
            timer = self._timers.pop(fid, None)
            if timer is not None:
                timer[1].set()

    # ---- sending ---------------------------------------------------------------------------------
    def _send(self, back: BackMsg) -> None:
        try:
            self.ws.send(back.SerializeToString())
        except Exception:  # noqa: BLE001
            pass

    def rerun(self, fragment_id: str = "", auto: bool = False, page_name: str = "") -> None:
        """Ask for a script run with the current widget states (what every front-end interaction sends)."""
        back = BackMsg()
        cs = back.rerun_script
        cs.query_string = self.query
        # Navigation names the page; every other run (a widget, a fragment's timer) carries the page's hash, as the
        # front end does: a full rerun asked for inside a fragment run (st.rerun) goes to the page of that run.
        cs.page_name = page_name or self.page_name
        cs.page_script_hash = "" if page_name else self.pages.get(self.page_name, "")
        cs.fragment_id = fragment_id
        cs.is_auto_rerun = auto
        cs.cached_message_hashes.extend(list(self.cache))  # as the front end does: what it need not be sent again
        with self.lock:
            # Every widget on the page with its value, as the front end's WidgetStateManager sends them: the
            # student's own where it set one, the shown one for the rest.
            states = self._shown_states()
            states.update({s.id: s for s in self.widget_states.values() if not _is_trigger(s)})
            for s in states.values():
                cs.widget_states.widgets.add().CopyFrom(s)
            triggers = [s for s in self.widget_states.values() if _is_trigger(s)]
            for s in triggers:
                cs.widget_states.widgets.add().CopyFrom(s)
                self.widget_states.pop(s.id)
        self.script_finished.clear()
        self._send(back)

    def _shown_states(self) -> dict[str, WidgetState]:
        """The shown state of each widget on the page, by id (called with the lock held)."""
        shown = {}
        for el in self.elements.values():
            kind, inner = _widget_of(el)
            if getattr(inner, "id", "") and (state := _shown_state(kind, inner)) is not None:
                shown[state.id] = state
        return shown

    def open(self, page: str = "", query: str = "", timeout: float = 60.0) -> float:
        """Open a page by its url path ("" is home); returns seconds until it is drawn whole. A new student opens
        the home page first (its first run tells the app's pages), so the home page is the one that comes as a
        first screen and then whole; a lab page it opens after that comes whole at once."""
        if page and len(self.pages) < 2:
            # A new session learns the app's pages from its first run's new_session (the first run of a page by
            # name lists only that page, under the main script's hash). Later runs carry the page's own hash, as
            # the front end's do: a rerun asked for inside a fragment run (st.rerun) goes to the page of that run.
            self.rerun(page_name="")
            self._wait_whole("the home page", timeout)
        start = time.perf_counter()
        self.query = query
        with self.lock:
            self.elements.clear()
            self._stop_timers()  # the front end's onPageChange: cleanupAutoReruns
        self.page_hash = self.pages.get(page, "")
        self.page_name = page
        self.rerun(page_name=page)
        self._wait_whole(f"page {page!r}", timeout)
        return time.perf_counter() - start

    def _wait_whole(self, what: str, timeout: float) -> None:
        """Wait until the page is drawn whole: a fresh tab's page sends its first screen, then (on this tab's signal)
        the whole page."""
        try:
            self.wait_for(lambda: self.script_finished.is_set() and not self.first_screen_pending, timeout)
        except TimeoutError:
            raise TimeoutError(f"{what} did not finish within {timeout} s") from None

    # ---- reading the page ------------------------------------------------------------------------
    def widget(self, key: str) -> tuple[str, object, str]:
        """(element type, element proto, fragment id) of the widget whose id ends with the user key."""
        with self.lock:
            for path, el in self.elements.items():
                kind, inner = _widget_of(el)
                wid = getattr(inner, "id", "")
                if isinstance(wid, str) and wid and (wid.endswith(f"-{key}") or wid == key):
                    return kind, inner, self.element_fragment.get(path, "")
        raise KeyError(key)

    def metric(self, label: str) -> str | None:
        """The shown value of the metric with this label, or None when it is not on the page."""
        with self.lock:
            for el in self.elements.values():
                if el.WhichOneof("type") == "metric" and el.metric.label == label:
                    return el.metric.body
        return None

    def wait_for(self, predicate, timeout: float = 30.0):
        """Wait until predicate() is truthy (checked on every message); returns its value."""
        deadline = time.perf_counter() + timeout
        with self.changed:
            while True:
                self.lock.release()
                try:
                    value = predicate()
                except KeyError:
                    value = None
                finally:
                    self.lock.acquire()
                if value:
                    return value
                left = deadline - time.perf_counter()
                if left <= 0 or self.closed:
                    raise TimeoutError("condition not met within the deadline")
                self.changed.wait(min(left, 0.5))

    # ---- acting ----------------------------------------------------------------------------------
    def click(self, key: str) -> None:
        """Press a button (a trigger value for one run, as the front end sends it)."""
        _, el, fragment = self.widget(key)
        state = WidgetState(id=el.id, trigger_value=True)
        with self.lock:
            self.widget_states[el.id] = state
        self.rerun(fragment_id=fragment)

    def set_slider(self, key: str, value: float) -> None:
        """Move a slider to a value (a double array of one, as the front end sends it)."""
        _, el, fragment = self.widget(key)
        state = WidgetState(id=el.id)
        state.double_array_value.data.append(float(value))
        with self.lock:
            self.widget_states[el.id] = state
        self.rerun(fragment_id=fragment)

    def set_number(self, key: str, value: float) -> None:
        """Type a number into a number input (an int or a double, as the widget takes it)."""
        _, el, fragment = self.widget(key)
        state = WidgetState(id=el.id)
        if el.data_type == NumberInput.INT:
            state.int_value = int(value)
        else:
            state.double_value = float(value)
        with self.lock:
            self.widget_states[el.id] = state
        self.rerun(fragment_id=fragment)

    def reconnect(self) -> Student:
        """The same tab on a new connection (its Wi-Fi came back after its session was gone, or its server was
        replaced): a new session whose first run carries the page's widget values, as the front end sends them."""
        where = urllib.parse.urlsplit(self.origin)
        other = Student(where.port, host=where.hostname)
        with self.lock:
            other.pages, other.page_name, other.query = dict(self.pages), self.page_name, self.query
            other.elements, other.widget_states = dict(self.elements), dict(self.widget_states)
        self.close()
        other.rerun()
        return other

    def close(self) -> None:
        """Close the tab: the socket goes, the server's session disconnects."""
        self.closed = True
        with self.lock:
            self._stop_timers()
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001
            pass
