# oidcgate container image: a static binary on an empty base, running as a
# non-root user, answering to Apache's names so existing entrypoints
# (`apache2ctl -D FOREGROUND`, `httpd-foreground`) keep working.
#
#   docker build -t oidcgate .
#   docker run -v /etc/apache2:/etc/apache2:ro oidcgate configtest
#
# The build stage needs only the Go toolchain; the final image holds the
# binary, CA certificates, and the Apache-name links.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/oidcgate ./cmd/oidcgate \
 && mkdir -p /out/links \
 && for n in httpd apache2 apachectl apache2ctl httpd-foreground apache2-foreground; do ln -s /usr/local/bin/oidcgate /out/links/$n; done

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/oidcgate /usr/local/bin/oidcgate
COPY --from=build /out/links/ /usr/local/bin/
ENV PATH=/usr/local/bin
# 65532 is the conventional "nonroot" uid of distroless images.
USER 65532:65532
# Apache's graceful stop; oidcgate drains in-flight requests on it.
STOPSIGNAL SIGWINCH
ENTRYPOINT ["/usr/local/bin/oidcgate"]
CMD ["configtest"]
