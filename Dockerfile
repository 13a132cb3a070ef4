# The worker (and, with another command, the simulator) built from this repository.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Debian's ffmpeg/ffprobe (security-maintained in bookworm): the simulator's media and the explainer assembly.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY activities ./activities
COPY client ./client
COPY infra ./infra
COPY schemas ./schemas
# npm run deploy (routing a Worker Deployment's work to a version) runs from here too.
COPY scripts ./scripts
COPY simulator ./simulator
COPY stack ./stack
COPY worker ./worker
COPY workflows ./workflows
# Ready campaign files, so `docker compose exec worker npm run cli -- campaign start --file examples/…` works.
COPY examples ./examples
COPY tsconfig.json ./
# The generate activity's submission journal (compose mounts a volume here), writable by the worker's user.
ENV SUBMISSION_JOURNAL_DIR=/var/lib/runway-temporal/submissions
RUN mkdir -p /var/lib/runway-temporal/submissions && chown -R node:node /var/lib/runway-temporal
USER node
EXPOSE 9464
CMD ["npm", "run", "worker"]
