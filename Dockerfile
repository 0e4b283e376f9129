# The cinerag image: one image for `cinerag serve` and `cinerag worker` (docker-compose.yml runs both).
# Debian's ffmpeg (the npm ffmpeg build crashes on MPEG-TS files: see `cinerag doctor`); the package is
# built at `npm ci` (its `prepare` script); models are not baked in: they live in the shared model cache
# volume (/data/models), filled once with `docker compose run --rm worker models pull`.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN npm ci && npm cache clean --force
ENV NODE_ENV=production \
    CINERAG_DATA_DIR=/data \
    CINERAG_HOST=0.0.0.0 \
    CINERAG_FFMPEG_PATH=/usr/bin/ffmpeg \
    CINERAG_FFPROBE_PATH=/usr/bin/ffprobe
VOLUME ["/data/keyframes", "/data/models"]
EXPOSE 4000
ENTRYPOINT ["node", "bin/cinerag.js"]
CMD ["serve"]
