# The playground as one container: CPU-only torch, a non-root user, Streamlit's own health endpoint.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# requirements.txt carries PyTorch's CPU index line, so pip installs torch==2.13.0+cpu (no nvidia-*, no triton).
COPY requirements.txt .
RUN pip install -r requirements.txt

RUN useradd --create-home --uid 10001 student
COPY --chown=student:student app.py ./
COPY --chown=student:student core/ core/
COPY --chown=student:student pages/ pages/
COPY --chown=student:student .streamlit/config.toml .streamlit/config.toml
USER student

EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
