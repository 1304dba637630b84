# greenlight's image: the service, the `greenlight` CLI, and the UI bundle at
# /app/ui-extension/dist/extension-greenlight.js (copied into argocd-server by manifests/argocd-wiring).
# Build: docker build -t ghcr.io/greenlight-io/greenlight:0.1.0 .
# Without registry access, `npm run test:image` builds it on local stand-ins of both bases
# (scripts/image-stand-ins.mjs), passed as the two build args below.

ARG BUILD_IMAGE=node:22-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs22-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY test/hosts/react16/package.json test/hosts/react16/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# The service and the CLI (plugin/ and the core it references; not the tests), and the UI bundle.
RUN npx tsc -b plugin && npm run build:ui \
 && npm prune --omit=dev --ignore-scripts --workspaces=false

# distroless: no shell, no package manager, no build tools; runs as uid 65532.
FROM ${RUNTIME_IMAGE}
WORKDIR /app
ENV NODE_ENV=production GREENLIGHT_HOST=0.0.0.0
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/plugin ./dist/plugin
COPY --from=build /src/dist/generator ./dist/generator
COPY --from=build /src/bin ./bin
COPY --from=build /src/demo ./demo
COPY --from=build /src/schema ./schema
COPY --from=build /src/ui-extension/dist/extension-greenlight.js /src/ui-extension/dist/demo-host.js ./ui-extension/dist/
USER 65532:65532
EXPOSE 4355
CMD ["dist/plugin/main.js"]
