# Skylt on the edge box. Multi-stage: native modules are built in the first stage, the runtime
# stage has no compiler. Not built on the development machines (no Docker engine there).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches (e.g. armv7 boxes).
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# npm ci runs the prepare step (scripts/build.js); with no src/ yet it builds nothing.
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY playlists ./playlists
COPY schemas ./schemas
# The compiled build in dist/ (a start under a second instead of compiling TypeScript at every start), then the
# development packages (TypeScript among them) go.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# tini reaps zombies and forwards SIGTERM so Skylt can tell the signs and close the database.
RUN apt-get update && apt-get install -y --no-install-recommends tini tzdata && rm -rf /var/lib/apt/lists/*
ENV TZ=Europe/Stockholm \
    NODE_ENV=production \
    SKYLT_HOST=0.0.0.0 \
    SKYLT_PORT=8080 \
    SKYLT_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app /app
# The node user may open serial devices passed through with --device (group dialout).
RUN mkdir -p /data && chown node:node /data && usermod -aG dialout node
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.SKYLT_PORT||8080)+'/api/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/skylt.js", "start"]
