# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md babel.cfg ./
COPY core ./core
COPY bot ./bot
COPY migrations ./migrations
COPY locales ./locales
RUN pip wheel --no-cache-dir --wheel-dir /wheels . \
 && pip install --no-cache-dir babel \
 && python -m bot.locales_tool compile

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
RUN useradd --create-home --uid 10001 bookingbot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
WORKDIR /app
COPY --from=build --chown=bookingbot /src/locales ./locales
USER bookingbot
ENV BOOKINGBOT_LOCALES_DIR=/app/locales
CMD ["sh", "-c", "bookingbot db upgrade && exec bookingbot run"]
