# syntax=docker/dockerfile:1
# Build: compile TypeScript with every dependency, then keep production ones only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts \
 && find dist -name "*.map" -delete

# Run: distroless Node.js (no shell, no package manager), numeric non-root user.
# Nothing is written at run time: certificates and policy are mounted read-only,
# so the container runs with readOnlyRootFilesystem: true.
FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
COPY --from=build --chown=0:0 /app/package.json ./package.json
COPY --from=build --chown=0:0 /app/node_modules ./node_modules
COPY --from=build --chown=0:0 /app/dist ./dist
USER 65532:65532
EXPOSE 8443
ENV NODE_ENV=production
# Exec form: the distroless entrypoint is node itself; no shell is involved.
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/cli/main.js"]
CMD ["serve"]
