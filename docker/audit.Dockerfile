# consent-audit (the audit service: finalized blocks into SQLite or PostgreSQL, served as FHIR R5)
# from a binary built outside Docker, on the same minimal Debian base as docker/injected.Dockerfile.
#   docker/make-base-image                                   # consent-base:bookworm, from Debian's packages
#   mkdir ctx && cp target/release/consent-audit ctx/        # the build context is just the binary
#   docker build -f docker/audit.Dockerfile -t consent-audit:local ctx
# scripts/docker-test does exactly this. The binary needs only glibc (SQLite is built in; PostgreSQL
# is spoken over TCP). Give it the node to follow, an archive node (--state-pruning archive):
#   docker run -d -v audit:/data -p 127.0.0.1:8090:8090 consent-audit:local --node http://NODE:9944 \
#     --public-url http://127.0.0.1:8090
# Arguments go to `consent-audit serve`, after the image's --database and --listen: --public-url
# (the address clients reach, for the links in Bundles: by default http://0.0.0.0:8090, the listen
# address), --allow-origin ORIGIN (the web app). For PostgreSQL instead of the SQLite file in /data,
# replace the entrypoint: --entrypoint consent-audit IMAGE serve --database postgres://... --listen 0.0.0.0:8090 --node ...
ARG BASE=consent-base:bookworm
FROM ${BASE}
RUN groupadd --system --gid 1000 consent \
	&& useradd --system --uid 1000 --gid 1000 --home-dir /data --no-create-home --shell /usr/sbin/nologin consent \
	&& mkdir -p /data && chown consent:consent /data && chmod 0750 /data
COPY consent-audit /usr/local/bin/consent-audit
# Fails the build if a shared library the binary needs is missing from the base.
RUN /usr/local/bin/consent-audit --version
USER consent
# The SQLite trail (audit.db, with its -wal and -shm files): kept for ever, so keep the volume.
VOLUME ["/data"]
EXPOSE 8090
# GET /status (no auth), read with bash's /dev/tcp: the image needs no curl. Healthy while the
# service answers and its ingest has not stopped ("ingestError":null; a node that is away is
# retried and not an error, one that cannot serve a block's state is). Assumes port 8090.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
	CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8090 && printf 'GET /status HTTP/1.0\\r\\nHost: localhost:8090\\r\\n\\r\\n' >&3 && r=$(timeout 4 cat <&3) && [[ $r == HTTP/1.?' 200'* && $r == *'\"ingestError\":null'* ]]"]
ENTRYPOINT ["/usr/local/bin/consent-audit", "serve", "--database", "sqlite:/data/audit.db", "--listen", "0.0.0.0:8090"]
CMD ["--node", "http://127.0.0.1:9944"]
LABEL org.opencontainers.image.title="consent-audit" \
	org.opencontainers.image.description="Consent Chain audit service (FHIR R5): the binary injected into a debootstrapped Debian bookworm base"
