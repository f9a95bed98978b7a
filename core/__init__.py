"""Everything the playground's pages compute or draw. Only core.ui imports streamlit."""
