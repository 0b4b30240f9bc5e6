"""The dashboard's pages: each file is one page script that `st.navigation` runs."""
