# consent-node from a binary built outside Docker ("injected", as polkadot-sdk's *_injected
# Dockerfiles do), on a minimal Debian base: nothing but the base system and the binary.
#   docker/make-base-image                                   # consent-base:bookworm, from Debian's packages
#   mkdir ctx && cp target/release/consent-node ctx/         # the build context is just the binary
#   docker build -f docker/injected.Dockerfile -t consent-node:local ctx
# scripts/docker-test does exactly this. BASE may name any image whose glibc is at least the build
# machine's (2.36 on bookworm) and that has bash and ca-certificates: the node's litep2p network
# backend will not start without root certificates (debian:bookworm-slim plus ca-certificates works).
ARG BASE=consent-base:bookworm
FROM ${BASE}
RUN groupadd --system --gid 1000 consent \
	&& useradd --system --uid 1000 --gid 1000 --home-dir /data --no-create-home --shell /usr/sbin/nologin consent \
	&& mkdir -p /data && chown consent:consent /data && chmod 0750 /data
COPY consent-node /usr/local/bin/consent-node
# Fails the build if a shared library the binary needs is missing from the base.
RUN /usr/local/bin/consent-node --version
USER consent
VOLUME ["/data"]
EXPOSE 30333 9944
# The RPC server's /health (system_health as JSON, 200 while the node answers), read with bash's
# /dev/tcp: the image needs no curl. Assumes the default RPC port 9944.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
	CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9944 && printf 'GET /health HTTP/1.0\\r\\nHost: localhost:9944\\r\\n\\r\\n' >&3 && read -r -t 4 status <&3 && [[ $status == HTTP/1.?' 200'* ]]"]
ENTRYPOINT ["/usr/local/bin/consent-node", "--base-path", "/data"]
CMD ["--chain", "local"]
LABEL org.opencontainers.image.title="consent-node" \
	org.opencontainers.image.description="Consent Chain node: the binary injected into a debootstrapped Debian bookworm base"
