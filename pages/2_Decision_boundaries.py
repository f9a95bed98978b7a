"""Decision boundaries: generative and discriminative classifiers side by side on the same 2-D data."""

import streamlit as st

from core import ui
from core.boundary import controls as bd
from core.boundary import data as ds
from core.boundary import formulas as fm
from core.boundary import models as clf
from core.boundary import panels as bf
from core.boundary import session as sn

ui.lab_page("pages/2_Decision_boundaries.py", "Decision boundaries: model how the data is made, or only where it splits")
ui.url_state(bd.CONTROLS)
ss = st.session_state

controls, data_col = st.columns([1, 2])
data = sn.lab_data(ss)  # from the settings in the session (the link's or the defaults), so the plot can come first
grid = clf.Grid(*ds.bounds(data.X_all))
with data_col:
    if ui.on_first_screen():  # nothing can be clicked yet: the plot without its click grid, on the same axes
        ui.vega_lite_chart(st, bf.data_chart(data, grid, clickable=False), width="stretch")
    else:
        ui.vega_lite_chart(st, bf.data_chart(data, grid), key=sn.data_plot_key(ss), on_select=lambda: sn.add_clicked(ss),
                           selection_mode=bf.CLICK_PARAM, width="stretch")
ui.first_screen_end()
with controls:
    ui.control(st, bd.DATASET, on_change=sn.clear_added, args=(ss,))
    for c in (*bd.DATA_SLIDERS, bd.SEED):
        ui.control(st, c)
with data_col:
    c = st.columns([2, 1, 1])
    c[0].radio("Class of the points you click", (0, 1, 2), key=sn.CLICK_CLASS, horizontal=True,
               format_func=lambda k: ds.class_name(data.class_names, k))
    c[1].button("Clear my points", key="boundary.clear", on_click=sn.clear_added, args=(ss,))
    c[2].download_button("Download CSV", ds.to_csv(data), "boundary_data.csv", "text/csv", key="boundary.download")
    st.caption(sn.data_caption(ss, data))
    st.file_uploader(bd.CSV_LABEL, type=["csv", "txt"], key=sn.CSV, on_change=sn.load_csv, args=(ss,))
    ui.notes(sn.data_notes(ss, data))
st.markdown("Both families end up with P(y | x), the colour in every panel; they get there differently.")
ui.formula_row(*bd.FAMILY_FORMULAS)


def ng_jordan_setup() -> None:
    sn.ng_jordan_setup(ss)
    st.rerun()  # the data changed: rerun the whole page, not only the fragment the button is in


def show_panel(name: str, data: ds.Dataset, grid: clf.Grid, prior) -> None:
    """One model's panel, one HTML block: its picture (P(y | x), boundary, points, contours, samples) and scores."""
    (panel,) = bd.panels(ss, data, grid, prior, names=[name])
    st.html(bd.panel_cards([panel], data, grid, ss, ui.figure_style())[0])
    if panel.error:
        st.warning(panel.error)


@st.fragment(key=bd.RESULTS_FRAGMENT)
def results_table(data: ds.Dataset, grid: clf.Grid, prior) -> None:
    st.dataframe(clf.results_table(bd.panels(ss, data, grid, prior)), key="boundary.results", hide_index=True,
                 width="stretch", column_config=ui.number_columns(clf.RESULT_COLUMNS[1:]))
    ui.worked_out("How each model decides", *fm.how_each_decides(bd.panels(ss, data, grid, prior), data))  # reruns with the table
    ui.sync_url()


def show_curves(progress: bd.lc.CurvesProgress) -> None:
    """What the plan cut and why the run stopped, the chart, and for a finished run its captions."""
    before, after = bd.curves_notes(progress)
    ui.notes(before)
    if progress.result is not None:
        ui.vega_lite_chart(st, bf.learning_curve_chart(progress.result.sizes, progress.result.summary()),
                           key="boundary.lc_plot", width="stretch")
    ui.notes(after)


def live_curves() -> None:
    """One tick while the job runs: progress, Cancel and the partial curves (the newest snapshot, never waiting)."""
    if (handle := sn.live_handle(ss)) is None:
        return
    if sn.run_over(handle):
        st.rerun(scope="app")  # finished (or stopped by the server): the page keeps what there is
    fraction, text = bd.curves_progress(snap := handle.snapshot)
    c = st.columns([5, 1])
    c[0].progress(fraction, text=text)
    c[1].button("Cancel", key="boundary.lc_cancel", on_click=sn.cancel_curves, args=(ss,), width="stretch")
    if snap is not None:
        show_curves(snap)


@st.fragment(key=bd.CURVES_FRAGMENT)
def learning_curves(data: ds.Dataset) -> None:
    """Ng & Jordan's learning curves, computed on the pool; ends by writing the URL (for all of the models' part)."""
    st.subheader("Learning curves (Ng & Jordan, 2002)")
    st.markdown(bd.CURVES_INTRO)
    lcc = st.columns([2, 1, 1, 1])
    ui.control(lcc[0], bd.LC_MODELS)
    ui.control(lcc[1], bd.LC_EXTRA)
    lcc[2].button("Ng & Jordan setup", key="boundary.lc_preset", on_click=ng_jordan_setup, help=bd.NG_JORDAN_HELP)
    run = lcc[3].button("Compute learning curves", key="boundary.lc_run", type="primary")
    request = bd.curve_job(ss, data)
    sn.still_running(ss, request)
    ui.notes(request.notes())
    if request.problem:
        ui.sync_url()
        return
    view, what = sn.curves_view(ss, request, run, ui.trainer)  # Compute pressed: the run starts on the pool
    if view == sn.KEPT:
        show_curves(what)
        ui.what_you_see(bd.CURVES_WHAT_YOU_SEE)
    elif view == sn.LIVE:
        ui.live_fragment(what, live_curves, every=0.5)  # a run lasts seconds: two redraws a second will do
    elif view == sn.CANCELLED:
        st.info(what[0])
        if what[1] is not None and what[1].result is not None:
            show_curves(what[1])
    ui.sync_url()


@st.fragment
def models() -> None:
    """Below the data: a change here reruns only this part; a model's own setting only its panel and the table."""
    st.subheader("Models")
    ui.control(st, bd.MODELS, label_visibility="collapsed")
    if note := bd.panel_points_note(data):
        st.caption(note)
    ui.control_grid(bd.hyper_controls(ss[bd.MODELS.key]), 4, args_of=lambda c: (bd.HYPER_MODEL[c.key],),
                    on_change=lambda model: ui.rerun_fragments(sn.fragments_for(model, ss)))

    st.subheader("Generative extras")
    for col, column in zip(st.columns(3), bd.EXTRAS, strict=True):
        for c in column:
            ui.control(col, c, disabled=bd.extra_disabled(c, ss, data.n_classes))
    prior = bd.prior_of(ss, data.n_classes)
    if prior is not None:
        st.latex(bd.prior_formula(prior))

    panels = bd.panels(ss, data, grid, prior) if bd.trainable(data) else []
    ui.notes(bd.panels_notes(ss, panels))
    bd.panel_cards(panels, data, grid, ss, ui.figure_style())  # drawn here on the shared pools; each panel finds its own
    for row in range(0, len(panels), 3):
        for col, panel in zip(st.columns(3), panels[row:row + 3], strict=False):
            with col:
                st.fragment(show_panel, key=bd.panel_fragment(panel.name))(panel.name, data, grid, prior)
    ss[sn.SHOWN_PANELS] = [p.name for p in panels]
    if panels:
        results_table(data, grid, prior)
    ui.what_you_see(bd.PANELS_WHAT_YOU_SEE)
    ui.try_this(bd.TRY_THIS)
    learning_curves(data)  # last: it writes the URL for this whole part too


models()
