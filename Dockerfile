# sigdoctor as a debug container beside a telemetry agent:
#   kubectl debug -it <pod> --image=<registry>/sigdoctor:0.1.0 --target=<agent container> --profile=general \
#     -- sigdoctor run --pid auto
# --target shares the agent container's process namespace, so `--pid auto` finds the agent and reads its
# environment and files (/proc/PID/environ, /proc/PID/root); see docs/kubernetes.md.
FROM python:3.11-slim

# No .pyc writes at run time (read-only root filesystems), no pip cache in the image.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY sigdoctor ./sigdoctor
COPY checks ./checks
COPY docs/causes ./docs/causes
RUN pip install . && rm -rf /src

WORKDIR /
ENTRYPOINT ["sigdoctor"]
CMD ["run"]
