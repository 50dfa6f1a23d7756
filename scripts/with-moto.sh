#!/usr/bin/env bash
# Runs a command with a moto emulator (S3, IAM, Athena) on 127.0.0.1: installs moto[server] into
# target/moto-venv when needed, picks a free port, starts the server, exports AWS_ENDPOINT_URL and test
# credentials, runs the command, and stops the server by its PID when the command ends (whatever way it ends).
#
#   scripts/with-moto.sh cargo test --test aws_s3
#   scripts/with-moto.sh cargo test --test aws_iam
set -euo pipefail

MOTO_VERSION=5.2.5
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${CARGO_TARGET_DIR:-$root/target}/moto-venv"

if [ "$#" -eq 0 ]; then
    echo "usage: scripts/with-moto.sh COMMAND [ARG...]" >&2
    exit 2
fi

if ! "$venv/bin/moto_server" --help >/dev/null 2>&1 \
    || ! "$venv/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    echo "with-moto: installing moto[server]==$MOTO_VERSION into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

port="$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
log="$(mktemp -t moto.XXXXXX.log)"
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!
cleanup() {
    kill "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
    rm -f "$log"
}
trap cleanup EXIT INT TERM

for _ in $(seq 1 100); do
    if "$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$moto_pid" 2>/dev/null; then
        echo "with-moto: moto_server exited:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.1
done

export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
# Keep the developer's own AWS configuration out of the tests.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE
echo "with-moto: moto $MOTO_VERSION on $AWS_ENDPOINT_URL (pid $moto_pid)" >&2
status=0
"$@" || status=$?
exit "$status"
