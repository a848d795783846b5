#!/usr/bin/env bash
# A real Spark standalone cluster on 127.0.0.1, started from the project's own class path (no Spark download):
# one master and two workers, each executor in its own JVM.
#
#   jobs/cluster.sh start      # prints the master URL (spark://127.0.0.1:$SPARK_MASTER_PORT)
#   jobs/cluster.sh stop       # stops the workers (and so their executors) and the master
#   jobs/cluster.sh status
#
# Submit jobs to it as to any cluster: jobs/dni sweep ... dni.spark.master=spark://127.0.0.1:7177
# CLUSTER_DIR (default target/cluster), SPARK_MASTER_PORT (default 7177), CLUSTER_WORKERS (default 2),
# WORKER_CORES (default 1), WORKER_MEMORY (default 2g), WORKER_CPUS (optional: one taskset CPU list per worker, such as
# "0 1", pinning each worker and so its executors to those CPUs), CLUSTER_JARS (optional: a folder of jars that is
# the cluster's whole class path, such as target/spark-lib, a Spark distribution's jars without the application;
# default: target/lib and target/dni-spark.jar). Needs `mvn package`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${CLUSTER_DIR:-$root/target/cluster}
port=${SPARK_MASTER_PORT:-7177}
workers=${CLUSTER_WORKERS:-2}
cores=${WORKER_CORES:-1}
memory=${WORKER_MEMORY:-2g}
read -r -a cpus <<< "${WORKER_CPUS:-}"
export SPARK_LOCAL_IP=127.0.0.1
export SPARK_HOME="$dir/spark-home"
export SPARK_SCALA_VERSION=2.13
opens=""
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens="$opens --add-opens=java.base/$p=ALL-UNNAMED"
done

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 150); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

start() {
  [ -f "$root/target/dni-spark.jar" ] || { echo "cluster: run mvn package first" >&2; exit 2; }
  mkdir -p "$SPARK_HOME/jars" "$SPARK_HOME/conf" "$dir/logs"
  # Executors get their class path from $SPARK_HOME/jars: the project's jar and its runtime dependencies.
  # A RELEASE file tells Spark's launcher that jars/ is a distribution layout, not a source build.
  echo "Spark 4.2.0 class path of dni-spark (jobs/cluster.sh)" > "$SPARK_HOME/RELEASE"
  rm -f "$SPARK_HOME"/jars/*.jar
  if [ -n "${CLUSTER_JARS:-}" ]; then
    ln -s "$(cd "$CLUSTER_JARS" && pwd)"/*.jar "$SPARK_HOME/jars/"
  else
    ln -s "$root"/target/lib/*.jar "$root/target/dni-spark.jar" "$SPARK_HOME/jars/"
  fi
  # Daemons log their deploy events (worker registration, executor launches and exits) at INFO.
  cp "$root/conf/log4j2.properties" "$SPARK_HOME/conf/log4j2.properties"
  printf 'logger.deploy.name = org.apache.spark.deploy\nlogger.deploy.level = info\n' \
    >> "$SPARK_HOME/conf/log4j2.properties"
  cp_="$SPARK_HOME/jars/*"
  if ! alive "$dir/master.pid"; then
    setsid java $opens -Xmx512m -cp "$cp_" -Dlog4j2.configurationFile="$SPARK_HOME/conf/log4j2.properties" \
      org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port 0 \
      > "$dir/logs/master.log" 2>&1 < /dev/null &
    echo $! > "$dir/master.pid"
    wait_port "$port" || { echo "cluster: master did not start, see $dir/logs/master.log" >&2; exit 1; }
  fi
  for i in $(seq 1 "$workers"); do
    if ! alive "$dir/worker$i.pid"; then
      mkdir -p "$dir/work$i"
      pin=()
      if [ ${#cpus[@]} -ge "$i" ]; then
        pin=(taskset -c "${cpus[$((i - 1))]}")
      fi
      setsid "${pin[@]}" java $opens -Xmx512m -cp "$cp_" -Dlog4j2.configurationFile="$SPARK_HOME/conf/log4j2.properties" \
        org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores "$cores" --memory "$memory" \
        --webui-port 0 --work-dir "$dir/work$i" "spark://127.0.0.1:$port" \
        > "$dir/logs/worker$i.log" 2>&1 < /dev/null &
      echo $! > "$dir/worker$i.pid"
    fi
  done
  # Wait until every worker has registered with the master.
  for _ in $(seq 1 150); do
    n=$(grep -c "Registering worker" "$dir/logs/master.log" 2>/dev/null || true)
    [ "${n:-0}" -ge "$workers" ] && break
    sleep 0.2
  done
  echo "spark://127.0.0.1:$port"
}

stop() {
  for f in "$dir"/worker*.pid "$dir"/master.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      # The worker's process group includes its executors (setsid made it a session leader).
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
  # Executors whose worker died first would be orphans; none may outlive the cluster.
  pkill -f "CoarseGrainedExecutorBackend.*spark://CoarseGrainedScheduler@127.0.0.1" 2>/dev/null || true
  echo "cluster: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    for f in "$dir"/master.pid "$dir"/worker*.pid; do
      [ -f "$f" ] && { alive "$f" && echo "$(basename "$f" .pid): running ($(cat "$f"))" || echo "$(basename "$f" .pid): dead"; }
    done ;;
  *) echo "usage: jobs/cluster.sh start | stop | status" >&2; exit 2 ;;
esac
