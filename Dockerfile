# syntax=docker/dockerfile:1
# Mesh Portal production image: gunicorn serving Django, the same image runs the Celery
# worker and beat (see docker-compose.yml). Build: docker build -t mesh-portal .

# --- front-end assets: htmx from the npm registry (no CDN at run time) -----------------
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- the application --------------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system portal \
 && useradd --system --gid portal --home-dir /app --no-create-home --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first (cached while only the code changes): install the project's
# requirements from pyproject.toml with empty package stubs, then the real code.
COPY pyproject.toml README.md ./
RUN mkdir -p meshportal && touch meshportal/__init__.py \
 && pip install . \
 && pip uninstall -y mesh-portal \
 && rm -rf meshportal build *.egg-info

COPY . .
RUN pip install --no-deps . && rm -rf build *.egg-info
COPY --from=assets /build/node_modules/htmx.org/dist /app/node_modules/htmx.org/dist

# Static files are collected at build time and served by WhiteNoise. collectstatic loads
# the production settings, which need a SECRET_KEY and a DATABASE_URL; it connects to
# neither, so throwaway values do. They are not kept in the image's environment.
RUN SECRET_KEY=collectstatic-only-not-a-real-secret-key-0123456789abcdefghij \
    DATABASE_URL=postgres://x@localhost/x \
    DEBUG=false \
    python manage.py collectstatic --noinput

USER portal
EXPOSE 8000

CMD ["gunicorn", "meshportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
