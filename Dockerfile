# syntax=docker/dockerfile:1
# Build stage: build the wheel (knowledge files included) and install it into a virtual environment.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
RUN python -m venv /opt/statusbot \
 && /opt/statusbot/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/statusbot/bin/pip install --no-cache-dir .

# Runtime stage: only the virtual environment, a non-root user and a volume for the database.
FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin statusbot \
 && mkdir -p /data && chown statusbot /data
COPY --from=build /opt/statusbot /opt/statusbot
ENV PATH=/opt/statusbot/bin:$PATH \
    STATUSBOT_CACHE_DIR=/data/cache \
    PYTHONUNBUFFERED=1 \
    STATUSBOT_DB=/data/statusbot.sqlite3 \
    STATUSBOT_HEARTBEAT=/data/heartbeat
USER statusbot
WORKDIR /data
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["statusbot", "health"]
STOPSIGNAL SIGTERM
CMD ["statusbot", "run"]
