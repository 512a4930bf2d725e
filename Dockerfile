# syntax=docker/dockerfile:1
#
# Korps: one self-contained binary. Templates (askama), migrations (sqlx::migrate!) and
# the front-end assets (dkfds + static/, embedded by build.rs) are compiled into it, so
# the runtime image holds nothing but the binary.
#
#   docker build -t korps .
#   docker compose up -d          (see docker-compose.yml and docs/deployment.md)

############################################################################ builder
FROM rust:1.95-bookworm AS builder

# build.rs runs `npm ci` to fetch Det Fælles Designsystem (dkfds). Debian bookworm's
# nodejs (18.x) and npm (9.x) are enough: dkfds declares node >= 4, and npm >= 7 reads
# lockfileVersion 3.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*

# Queries are checked against the committed .sqlx/ data; no database at build time.
ENV SQLX_OFFLINE=true \
    CARGO_TERM_COLOR=never

WORKDIR /app

# 1. npm packages, in their own layer: only package*.json invalidate it.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

# 2. Dependencies, built against a dummy crate: this layer is reused until Cargo.toml,
#    Cargo.lock, build.rs or .cargo/ change. (.cargo/config.toml is copied here, not with
#    the sources, so that a change to it cannot silently differ between both builds.)
COPY Cargo.toml Cargo.lock build.rs ./
COPY .cargo/ .cargo/
RUN mkdir src \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && cargo build --release --locked \
 && rm -rf src

# 3. The real sources. `touch` makes sure cargo sees them as newer than the dummy's build
#    (COPY keeps the files' original mtimes). build.rs reruns by itself: static/ did not
#    exist in step 2, and it is watched with rerun-if-changed.
COPY src/ src/
COPY migrations/ migrations/
COPY templates/ templates/
COPY static/ static/
COPY .sqlx/ .sqlx/
RUN touch src/main.rs src/lib.rs \
 && cargo build --release --locked \
 && cp target/release/korps /usr/local/bin/korps

############################################################################ runtime
FROM debian:bookworm-slim

# ca-certificates: for a DATABASE_URL with sslmode=require/verify-full towards a managed
# PostgreSQL (sqlx also carries webpki roots; the system store costs ~1 MB and avoids surprises).
# postgresql-client (15, as the compose db): pg_dump and pg_restore for `korps backup/restore`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --uid 10001 --home-dir /var/lib/korps --create-home \
            --shell /usr/sbin/nologin korps

COPY --from=builder /usr/local/bin/korps /usr/local/bin/korps

USER korps
WORKDIR /var/lib/korps

# Listen on all interfaces inside the container; docker-compose.yml publishes the port on
# 127.0.0.1 only, for a TLS-terminating reverse proxy on the host.
ENV KORPS_BIND=0.0.0.0:8080
EXPOSE 8080

# Health check without curl or wget: bash is Essential in Debian (so it is in the slim
# image) and Debian's bash supports /dev/tcp, which is enough for one plain-HTTP GET
# against our own port. That adds nothing to the image; installing curl would add ~10 MB
# and its libraries only for this. /healthz = the process is up (restarting would not fix
# a database outage: Korps recovers by itself); docker-compose.yml checks /readyz instead.
# The port follows KORPS_BIND.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "b=${KORPS_BIND:-:8080}; exec 3<>/dev/tcp/127.0.0.1/${b##*:} && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["korps"]
CMD ["serve"]
