# migration-review as a GitHub App: `docker build -t migration-review .`
# Run with the settings of docs/github-app.md, e.g.
#   docker run -p 8000:8000 -v mr-data:/data -e GITHUB_APP_ID=… -e GITHUB_PRIVATE_KEY_PATH=/run/secrets/key.pem \
#     -e GITHUB_WEBHOOK_SECRET=… migration-review
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md* app.yml ./
COPY bot ./bot
COPY templates ./templates
COPY examples ./examples
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[probe]"

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/migration-review.db \
    MIGRATION_REVIEW_CACHE_DIR=/data/cache
RUN useradd --system --uid 10001 --home-dir /data --create-home app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER app
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["migration-review", "serve", "--host", "0.0.0.0", "--port", "8000"]
