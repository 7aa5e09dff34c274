# The rcdebug worker image: Node, the project, and the tools the local cloud needs.
# Cloud credentials come from the environment at run time, never from the image.
FROM node:20-bookworm-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      linux-source-6.1 bc bison flex libelf-dev libssl-dev gcc make \
      qemu-system-x86 busybox-static cpio kmod xz-utils python3 ccache libxml2-utils git ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/rcdebug
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .

# Kernel builds and images are cached here; mount a volume to keep them across restarts.
ENV RCDEBUG_CACHE=/var/cache/rcdebug \
    RCDEBUG_HOME=/var/lib/rcdebug \
    TEMPORAL_ADDRESS=temporal:7233 \
    TEMPORAL_NAMESPACE=default
VOLUME ["/var/cache/rcdebug", "/var/lib/rcdebug"]

ENTRYPOINT ["node", "bin/rcdebug.js"]
CMD ["worker", "--clouds", "local", "--metrics-port", "9464"]
