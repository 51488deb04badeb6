# syntax=docker/dockerfile:1
# Every package comes from the lock files, pinned and hash-checked: the image holds what
# the tests ran against, whatever PyPI published since.
FROM python:3.11-slim AS build
WORKDIR /src
COPY requirements.lock requirements-dev.lock ./
# The build tools (setuptools, Babel for the catalogues) from the dev lock, in a venv of
# their own that the final image does not keep.
RUN python -m venv /opt/build \
 && /opt/build/bin/pip install --no-cache-dir --require-hashes --no-deps -r requirements-dev.lock \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md babel.cfg ./
COPY core ./core
COPY bot ./bot
COPY emulator ./emulator
COPY migrations ./migrations
COPY locales ./locales
RUN /opt/build/bin/python -m bot.locales_tool compile \
 && /opt/build/bin/pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /wheels . \
 && /opt/venv/bin/pip install --no-cache-dir --no-deps /wheels/*.whl

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PATH=/opt/venv/bin:$PATH
RUN useradd --create-home --uid 10001 bookingbot
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --from=build --chown=bookingbot /src/locales ./locales
USER bookingbot
ENV BOOKINGBOT_LOCALES_DIR=/app/locales
CMD ["sh", "-c", "bookingbot db upgrade && exec bookingbot run"]
