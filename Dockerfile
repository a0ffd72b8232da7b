# factorlab in one image: the notebooks run offline on the embedded lab market, and the API.
#   docker build -t factorlab .
#   docker run --rm -v "$PWD/runs:/home/factorlab/app/runs" factorlab      # the main job
#   docker run --rm -p 8000:8000 factorlab factorlab serve --host 0.0.0.0   # the API on :8000
# With Ollama beside it: docker compose up (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MPLBACKEND=Agg

RUN useradd --create-home --uid 1000 factorlab
WORKDIR /home/factorlab/app

COPY pyproject.toml README.md ./
COPY factorlab ./factorlab
COPY notebooks ./notebooks
RUN pip install ".[serve]" \
    && python -c "from factorlab.run import ensure_kernel; print(ensure_kernel())" \
    && mkdir runs && chown -R factorlab /home/factorlab/app

USER factorlab
ENV FACTORLAB_CACHE=/home/factorlab/.cache/factorlab
EXPOSE 8000
CMD ["factorlab", "run", "--output", "runs/latest"]
