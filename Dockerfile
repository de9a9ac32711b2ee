# syntax=docker/dockerfile:1

# Builds the worker and publisher into one small static image that runs as
# a non-root user. The entrypoint is the worker; run the publisher with
# --entrypoint /usr/local/bin/publisher.
#
#   docker build --build-arg VERSION=$(git describe --always --dirty) -t wiredesk .

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# VERSION becomes pipeline.PipelineVersion, the pipeline_version of every
# event and the version label of wiredesk_build_info.
ARG VERSION=wiredesk-dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags="-s -w -X github.com/wiredesk/wiredesk/pipeline.PipelineVersion=${VERSION}" \
      -o /out/ ./cmd/worker ./cmd/publisher

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/worker /out/publisher /usr/local/bin/
USER nonroot:nonroot
# Metrics, /healthz and /readyz (set -metrics-addr=0.0.0.0:9464).
EXPOSE 9464
ENTRYPOINT ["/usr/local/bin/worker"]
