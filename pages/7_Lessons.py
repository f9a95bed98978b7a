"""Guided lessons: predict, open the lab on the step's settings, look, and read why."""

import streamlit as st

from core import lessons, ui

ui.page("Lessons: predict, look, explain", "🧑‍🏫",
        "Guided lessons for a class: ask the question first, let the class choose, then open the lab and look.",
        first_screen=False)  # short: whole at once
ui.url_state([lessons.LESSON])
titles = {entry.key: entry.title for entry in lessons.LESSONS}
ui.control(st, lessons.LESSON, format_func=titles.__getitem__)
current = lessons.lesson(st.session_state[lessons.LESSON.key])
stop = "" if current.title.endswith(("?", "!", ".")) else "."  # "Generative or discriminative?" keeps its own mark
st.markdown(f"**{current.title}{stop}** {current.summary}")
ui.what_you_see("Each step: read the question to the class before anyone opens the lab, take a vote, pick the "
                "class's answer below for the feedback, then follow the link: it opens the lab on exactly the "
                "settings the step needs.")

for number, step in enumerate(current.steps, start=1):
    with st.container(border=True):
        st.subheader(f"{number}. {step.title}")
        st.markdown(f"**Ask the class:** {step.question}")
        choice = st.radio("The class's prediction", step.choices, index=None, key=f"lesson.{current.key}.{number}")
        verdict = step.feedback(choice)
        if verdict is not None:
            (st.success if verdict[0] else st.error)(verdict[1])
        st.page_link(step.page, label=f"Open {ui.lab(step.page).label} with this step's settings",
                     icon=ui.lab(step.page).icon, query_params=lessons.query(step))
        st.markdown(f"**Look at:** {step.look_at}")
        with st.expander("Explanation"):
            st.markdown(step.explanation)
ui.sync_url()
