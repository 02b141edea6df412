# Labb production image: one image for `web` (WSGI, pages and posts), `live` (ASGI, the live
# streams) and the Celery worker/beat. Alone (no --interface), it serves everything on ASGI.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH="/app/.venv/bin:$PATH"

# The PDF report (WeasyPrint) typesets with Pango, HarfBuzz and fontconfig; its fonts are
# bundled in static/fonts, so no font package is needed. xmlsec1: pysaml2 signs and checks
# SAML signatures with it (sign-in through SAML 2.0).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1 xmlsec1 \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv \
    && useradd --system --create-home --home-dir /home/labb labb

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN LABB_PRODUCTION=1 SECRET_KEY=build-only-not-secret-build-only-not-secret-xx \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && mkdir -p /data && chown labb:labb /data

USER labb
ENV LABB_DATA_DIR=/data LABB_PRODUCTION=1
EXPOSE 8000
CMD ["python", "-m", "labb.serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
