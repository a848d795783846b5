#!/usr/bin/env bash
# A real S3-compatible object store on 127.0.0.1 for local runs and tests: s3proxy 4.1.0 (filesystem backend) in
# its own JVM (it cannot share a JVM with Spark: their servlet APIs clash).
#
#   jobs/s3proxy.sh start [BUCKET...]   # starts it (if not running) and creates the buckets through the S3 API
#   jobs/s3proxy.sh stop                # stops it; the stored objects stay in $S3PROXY_DIR/data
#   jobs/s3proxy.sh env                 # prints the dni.spark.hadoop settings to reach it
#
# S3PROXY_PORT (default 8182), S3PROXY_DIR (default target/s3proxy). Credentials: AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY (defaults: a local-only pair); s3proxy checks AWS v2/v4 signatures against them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=${S3PROXY_PORT:-8182}
dir=${S3PROXY_DIR:-$root/target/s3proxy}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-dni-local-access}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-dni-local-secret}
jar=$root/target/tools/s3proxy.jar
[ -f "$jar" ] || jar=$HOME/.m2/repository/org/gaul/s3proxy/4.1.0/s3proxy-4.1.0-jar-with-dependencies.jar
hadoop_args=("dni.spark.hadoop.\"fs.s3a.endpoint\"=\"http://127.0.0.1:$port\""
  "dni.spark.hadoop.\"fs.s3a.endpoint.region\"=us-east-1"
  "dni.spark.hadoop.\"fs.s3a.path.style.access\"=true"
  "dni.spark.hadoop.\"fs.s3a.connection.ssl.enabled\"=false")

running() { [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; }

case "${1:-}" in
  start)
    shift
    if ! running; then
      [ -f "$jar" ] || mvn -B -q dependency:get -Dartifact=org.gaul:s3proxy:4.1.0:jar:jar-with-dependencies \
        -Dtransitive=false
      mkdir -p "$dir/data"
      umask 077
      cat > "$dir/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$AWS_ACCESS_KEY_ID
s3proxy.credential=$AWS_SECRET_ACCESS_KEY
jclouds.provider=filesystem
jclouds.filesystem.basedir=$dir/data
CONF
      setsid java -Xmx256m -jar "$jar" --properties "$dir/s3proxy.conf" > "$dir/s3proxy.log" 2>&1 < /dev/null &
      echo $! > "$dir/pid"
      for _ in $(seq 1 100); do
        (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
        running || { echo "s3proxy: failed to start, see $dir/s3proxy.log" >&2; exit 1; }
        sleep 0.2
      done
      echo "s3proxy: listening on http://127.0.0.1:$port (pid $(cat "$dir/pid"), data in $dir/data)"
    fi
    for b in "$@"; do "$root/jobs/dni" bucket "$b" "${hadoop_args[@]}"; done
    ;;
  stop)
    if running; then
      pid=$(cat "$dir/pid")
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      echo "s3proxy: stopped"
    fi
    rm -f "$dir/pid"
    ;;
  env)
    printf '%s\n' "${hadoop_args[@]}"
    ;;
  *)
    echo "usage: jobs/s3proxy.sh start [BUCKET...] | stop | env" >&2
    exit 2
    ;;
esac
