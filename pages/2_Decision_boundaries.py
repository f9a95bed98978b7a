"""Decision boundaries: generative and discriminative classifiers side by side on the same 2-D data."""

import streamlit as st
from streamlit.errors import StreamlitAPIException

from core import ui
from core.boundary import controls as bd
from core.boundary import data as ds
from core.boundary import models as clf
from core.boundary import panels as bf

ui.lab_page("pages/2_Decision_boundaries.py", "Decision boundaries: model how the data is made, or only where it splits")
ui.url_state({c.key: ui.Param(c.default, c.lo, c.hi, c.options) for c in bd.CONTROLS})
ss = st.session_state
ss.setdefault("boundary.added", [])


def control(c: bd.Control, where=st, **kwargs) -> None:
    """Draw a Control as a toggle, a select slider or a slider; its value lives in session_state[c.key]."""
    if isinstance(c.default, bool):
        where.toggle(c.label, key=c.key, help=c.help or None, **kwargs)
    elif c.options:
        where.select_slider(c.label, c.options, key=c.key, help=c.help or None, **kwargs)
    else:
        where.slider(c.label, c.lo, c.hi, step=c.step, key=c.key, help=c.help or None, **kwargs)


def load_csv() -> None:
    """Parse an upload: on success it becomes the data; on failure the message shows and the data stays."""
    upload, ss["boundary.csv_error"] = ss["boundary.csv"], None
    if upload is None:
        return
    try:
        ss["boundary.csv_points"] = ds.parse_csv(upload.getvalue())
    except ds.CsvError as err:
        ss["boundary.csv_error"] = f"{upload.name}: {err} The previous data is kept."
        return
    ss.update({bd.DATASET.key: ds.CUSTOM, "boundary.added": []})


def data_plot_key() -> str:
    """A new key after every click: the new chart has no selection, so the same spot can be clicked again."""
    return f"boundary.data_plot.{ss.setdefault('boundary.clicks', 0)}"


def add_clicked() -> None:
    clicks = ds.clicked_positions(ss[data_plot_key()].selection.get(bf.CLICK_PARAM, []))
    ss["boundary.added"] = ds.add_clicks(ss["boundary.added"], clicks, int(ss["boundary.click_class"]))
    ss["boundary.clicks"] += 1


def clear_added() -> None:
    ss["boundary.added"] = []


st.markdown("Both families end up with P(y | x), the colour in every panel; they get there differently.")
gen_col, dis_col = st.columns(2)
gen_col.latex(r"\text{generative: } P(y{=}k \mid x) = \frac{P(x \mid y{=}k)\,P(y{=}k)}{\sum_j P(x \mid y{=}j)\,P(y{=}j)}")
dis_col.latex(r"\text{discriminative: } P(y{=}1 \mid x) = \sigma(w^\top \phi(x) + b)\ \text{(or a tree, a vote, a net)}")

controls, data_col = st.columns([1, 2])
with controls:
    st.selectbox(bd.DATASET.label, ds.DATASETS, key=bd.DATASET.key, on_change=clear_added)
    for c in bd.DATA_SLIDERS:
        control(c)
    st.number_input(bd.SEED.label, 0, 9999, step=1, key=bd.SEED.key)

settings = bd.data_settings(ss)
data = bd.lab_data(settings, ss.get("boundary.csv_points"), ss["boundary.added"])
grid = clf.Grid(*ds.bounds(data.X_all))
with data_col:
    ui.vega_lite_chart(st, bf.data_chart(data, grid), key=data_plot_key(), on_select=add_clicked,
                       selection_mode=bf.CLICK_PARAM, width="stretch")
    c = st.columns([2, 1, 1])
    c[0].radio("Class of the points you click", (0, 1, 2), key="boundary.click_class", horizontal=True,
               format_func=lambda k: ds.class_name(data.class_names, k))
    c[1].button("Clear my points", key="boundary.clear", on_click=clear_added)
    c[2].download_button("Download CSV", ds.to_csv(data), "boundary_data.csv", "text/csv", key="boundary.download")
    st.caption(f"{len(data.y_train)} training points ● (incl. {len(ss['boundary.added'])} clicked), "
               f"{len(data.y_test)} test points ✕. Click anywhere on the plot to add a training point.")
    st.file_uploader("Your CSV: two numeric feature columns and a label column (≤ 5 MB, ≤ 20,000 rows)",
                     type=["csv", "txt"], key="boundary.csv", on_change=load_csv)
    if ss.get("boundary.csv_error"):
        st.error(ss["boundary.csv_error"])
    if settings.dataset == ds.CUSTOM and not len(data.y_all):
        st.info("No data of your own yet: upload a CSV, or pick a class and click on the plot.")


def ng_jordan_setup() -> None:
    ss.update({**bd.NG_JORDAN, "boundary.added": []})
    st.rerun()  # the data changed: rerun the whole page, not only the fragment the button is in


def rerun_model(name: str) -> None:
    """A model's own setting changed: rerun its panel and the results table (and the learning curves when they
    include the model), not the other panels."""
    if name in ss.get("boundary.shown_panels", ()):
        try:
            st.rerun([bd.panel_fragment(name), bd.RESULTS_FRAGMENT]
                     + ([bd.CURVES_FRAGMENT] if name in ss[bd.LC_MODELS.key] else []))
        except StreamlitAPIException:  # one of them is not on the page: the usual rerun, of all the models' part
            pass


def show_panel(name: str, data: ds.Dataset, grid: clf.Grid, prior) -> None:
    """One model's panel, one HTML block: its picture (P(y | x), boundary, points, contours, samples) and scores."""
    (panel,) = bd.panels(ss, data, grid, prior, names=[name])
    if panel.error:
        st.html(bf.panel_card(name, panel.generative, style=ui.figure_style()))
        st.warning(panel.error)
        return
    lines = [bd.score_line(panel.scores)]
    if ss[bd.SAMPLE.key] and not panel.generative:
        lines.append(f"Cannot sample: {clf.WHY_NO_SAMPLES[name]}")
    style = ui.figure_style()
    picture = bf.cached_panel_htmls([panel], data, grid, contours=ss[bd.CONTOURS.key], samples=[bd.samples_of(panel, ss)],
                                    style=style)
    st.html(bf.panel_card(name, panel.generative, picture[0], lines, style=style))


@st.fragment(key=bd.RESULTS_FRAGMENT)
def results_table(data: ds.Dataset, grid: clf.Grid, prior) -> None:
    st.dataframe(clf.results_table(bd.panels(ss, data, grid, prior)), key="boundary.results", hide_index=True,
                 width="stretch", column_config={c: st.column_config.NumberColumn(format="%.3f")
                                                 for c in clf.RESULT_COLUMNS[1:]})
    ui.how_each_model_decides(bd.panels(ss, data, grid, prior), data)  # in this fragment: reruns with the table
    ui.sync_url()


LC_JOB, LC_FOR, LC_CANCELLED = "boundary.lc.job", "boundary.lc.for", "boundary.lc.cancelled"
"""This session's handle on the training pool, the CurvesJob it runs, and what Cancel left (key, note, snapshot)."""


def release_curves() -> None:
    """Close this session's learning-curve trainer (the worker forgets it at once)."""
    handle = ss.pop(LC_JOB, None)
    ss.pop(LC_FOR, None)
    if handle is not None:
        handle.close()


def start_curves(job: bd.lc.CurvesJob) -> None:
    release_curves()
    ss.pop(LC_CANCELLED, None)
    ui.trainer(LC_JOB, bd.lc.build_curves, job, lab="learning curves").start()
    ss[LC_FOR] = job


def cancel_curves() -> None:
    """Cancel: release the trainer, keep what it had done. A second call (a click seen twice) finds nothing to do."""
    job, handle = ss.get(LC_FOR), ss.get(LC_JOB)
    if job is None or handle is None:
        return
    snap = handle.snapshot
    ss[LC_CANCELLED] = (job.key(), bd.cancelled_note(snap), snap)
    release_curves()


def show_curves(progress: bd.lc.CurvesProgress) -> None:
    """The plan's message (what was cut), a stop note, the chart, and for a finished run its captions (while it runs,
    or when it was cancelled, a leader at some m may be one draw's luck)."""
    if progress.plan is not None and (message := progress.plan.message()):
        st.warning(message)
    if progress.note:
        st.warning(progress.note)
    if progress.result is None:
        return
    result, summary = progress.result, progress.result.summary()
    ui.vega_lite_chart(st, bf.learning_curve_chart(result.sizes, summary), key="boundary.lc_plot", width="stretch")
    if not progress.finished:
        return
    st.caption(bd.curve_leaders(result.sizes, summary))
    for note in result.failure_notes():
        st.caption(note)


def live_curves() -> None:
    """One tick while the job runs: progress, Cancel and the partial curves (the newest snapshot, never waiting)."""
    handle, job = ss.get(LC_JOB), ss.get(LC_FOR)
    if handle is None or job is None:
        return
    snap = handle.snapshot
    if snap is not None and snap.finished or handle.message and not handle.running:
        st.rerun(scope="app")  # finished (or stopped by the server): the page keeps what there is
    fraction, text = bd.curves_progress(snap)
    c = st.columns([5, 1])
    c[0].progress(fraction, text=text)
    c[1].button("Cancel", key="boundary.lc_cancel", on_click=cancel_curves, width="stretch")
    if snap is not None:
        show_curves(snap)


def still_running(request: bd.CurveJob) -> bd.lc.CurvesJob | None:
    """The job this session's trainer still runs for these settings, or None: a finished run is kept for every
    session, a run for other settings is released, and so is one the server stopped (with a note saying so)."""
    job, handle = ss.get(LC_FOR), ss.get(LC_JOB)
    if job is None or handle is None:
        return None
    snap = handle.snapshot
    if request.problem or job.key() != request.key:
        release_curves()  # the settings changed: that run is not wanted any more
    elif snap is not None and snap.finished:
        bd.lc.remember(job, snap)  # and the worker can forget it
        release_curves()
    elif handle.message and not handle.running:  # a fault, or put away by the server
        ss[LC_CANCELLED] = (job.key(), bd.interrupted_note(handle.message), snap)
        release_curves()
    return ss.get(LC_FOR)


@st.fragment(key=bd.CURVES_FRAGMENT)
def learning_curves(data: ds.Dataset) -> None:
    """Ng & Jordan's learning curves, computed on the training pool; ends by writing the URL (its own settings,
    and all of the models' part)."""
    st.subheader("Learning curves (Ng & Jordan, 2002)")
    st.markdown("Test error against training-set size m, each point the mean over 20 random training sets "
                "(band: ± 1 sd), on fresh data from the current generator.")
    lcc = st.columns([2, 1, 1, 1])
    lcc[0].multiselect(bd.LC_MODELS.label, clf.MODEL_NAMES, key=bd.LC_MODELS.key)
    control(bd.LC_EXTRA, lcc[1])
    lcc[2].button("Ng & Jordan setup", key="boundary.lc_preset", on_click=ng_jordan_setup,
                  help="Correlated blobs (ρ = 0.6) with 30 irrelevant features.")
    run = lcc[3].button("Compute learning curves", key="boundary.lc_run", type="primary")
    request = bd.curve_job(ss, data)
    running = still_running(request)
    if request.problem:
        st.info(request.problem)
        ui.sync_url()
        return
    if request.note:
        st.caption(request.note)
    kept = bd.lc.recall(request.job)
    cancelled = ss.get(LC_CANCELLED)
    if kept is not None:
        release_curves()  # a run of the same settings finished in another session meanwhile
        show_curves(kept)
        ui.what_you_see(bd.CURVES_WHAT_YOU_SEE)
    elif run or running is not None:
        if running is None:
            start_curves(request.job)
        ui.live_fragment(ss[LC_JOB], live_curves, every=0.5)  # a run lasts seconds: two redraws a second will do
    elif cancelled is not None and cancelled[0] == request.key:
        st.info(cancelled[1])
        if cancelled[2] is not None and cancelled[2].result is not None:
            show_curves(cancelled[2])
    ui.sync_url()


@st.fragment
def models() -> None:
    """Everything below the data is a fragment: a change here reruns only this part (the data and its plot stay
    as they are, in the server and in the browser); a model's own setting reruns only its panel and the table."""
    st.subheader("Models")
    st.multiselect(bd.MODELS.label, clf.MODEL_NAMES, key=bd.MODELS.key, label_visibility="collapsed")
    if note := bd.panel_points_note(data):
        st.caption(note)
    hyper_cols = st.columns(4)
    for i, c in enumerate(bd.hyper_controls(ss[bd.MODELS.key])):
        control(c, hyper_cols[i % 4], on_change=rerun_model, args=(bd.HYPER_MODEL[c.key],))

    st.subheader("Generative extras")
    x = st.columns(3)
    control(bd.CONTOURS, x[0])
    control(bd.SAMPLE, x[1])
    control(bd.N_DRAW, x[1], disabled=not ss[bd.SAMPLE.key])
    control(bd.USE_PRIOR, x[2], disabled=data.n_classes != 2)
    control(bd.PRIOR, x[2], disabled=data.n_classes != 2 or not ss[bd.USE_PRIOR.key])
    prior = bd.prior_of(ss, data.n_classes)
    if prior is not None:
        st.latex(bd.prior_formula(prior))

    panels = bd.panels(ss, data, grid, prior) if bd.trainable(data) else []
    if not ss[bd.MODELS.key]:
        st.info("Pick one or more models above: each gets a panel.")
    elif not panels:
        st.warning("The training data needs points of at least two classes before any model can be fitted.")
    fitted = [p for p in panels if not p.error]  # drawn here on the shared pools; each panel then finds its own
    bf.cached_panel_htmls(fitted, data, grid, contours=ss[bd.CONTOURS.key], samples=[bd.samples_of(p, ss) for p in fitted],
                          style=ui.figure_style())
    for row in range(0, len(panels), 3):
        for col, panel in zip(st.columns(3), panels[row:row + 3], strict=False):
            with col:
                st.fragment(show_panel, key=bd.panel_fragment(panel.name))(panel.name, data, grid, prior)
    ss["boundary.shown_panels"] = [p.name for p in panels]
    if panels:
        results_table(data, grid, prior)
    ui.what_you_see(bd.PANELS_WHAT_YOU_SEE)
    ui.try_this(bd.TRY_THIS)
    learning_curves(data)  # last: it writes the URL for this whole part too


models()
