"""The dashboard's pages: each file is one page script that `st.navigation` runs.

Not named `pages/`: Streamlit would list such a folder's file names in the sidebar whenever a run
stops before `st.navigation` (the sign-in screen).
"""
