"""Real Spark deployments on 127.0.0.1, started from the pip PySpark by the tests themselves: a
standalone master with workers, and a Spark Connect server. Each daemon runs in its own process
group with its log in a temporary directory (shown when it fails), on ports chosen free, and is
stopped when its fixture ends."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pyspark

SPARK_HOME = os.path.dirname(pyspark.__file__)
# What a Spark Connect client session sets in its process (PySpark switches the whole process to
# Connect mode): classic sessions started later, here or in a child process, must not see them.
CONNECT_MODE_VARIABLES = ("SPARK_CONNECT_MODE_ENABLED", "SPARK_REMOTE", "SPARK_LOCAL_REMOTE")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_json(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def port_open(port):
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def run_app(argv, env):
    """Runs a Spark application to its end; the JSON object its last line of output printed."""
    ran = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr[-5000:]
    return json.loads(ran.stdout.strip().splitlines()[-1])


def spark_env(python, **extra):
    """The environment of a Spark process whose Python (planning and tasks) is `python`."""
    env = {k: v for k, v in os.environ.items() if k not in CONNECT_MODE_VARIABLES}
    env.update(
        SPARK_HOME=SPARK_HOME,
        SPARK_LOCAL_IP="127.0.0.1",
        PYSPARK_PYTHON=python,
        PYSPARK_DRIVER_PYTHON=python,
        # The master's REST submission server would take port 6066, shared by every run.
        SPARK_MASTER_OPTS="-Dspark.master.rest.enabled=false",
    )
    env.update(extra)
    return env


class Daemons:
    """Long-running Spark JVMs of one fixture."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.processes = {}

    def spawn(self, name, argv, env):
        log = open(os.path.join(self.log_dir, f"{name}.log"), "w")
        self.processes[name] = subprocess.Popen(
            argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def logs(self):
        text = []
        for name in self.processes:
            with open(os.path.join(self.log_dir, f"{name}.log"), errors="replace") as log:
                text.append(f"--- {name} (last lines) ---\n" + "".join(log.readlines()[-30:]))
        return "\n".join(text)

    def wait_until(self, ready, what, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dead = [name for name, p in self.processes.items() if p.poll() is not None]
            if dead:
                raise AssertionError(f"{', '.join(dead)} exited before {what}\n{self.logs()}")
            try:
                if ready():
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"no {what} after {timeout} s\n{self.logs()}")

    def stop(self):
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


class StandaloneCluster:
    """A master and `workers` workers of `cores` cores each (`spark-class`, as `spark-daemon.sh`
    runs them, but in the foreground so the fixture owns them)."""

    def __init__(self, log_dir, python, workers=2, cores=1, memory="1g"):
        self.daemons = Daemons(log_dir)
        env = spark_env(python)
        port, self.ui_port = free_port(), free_port()
        self.url = f"spark://127.0.0.1:{port}"
        spark_class = os.path.join(SPARK_HOME, "bin", "spark-class")
        self.daemons.spawn(
            "master",
            [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
             "--port", str(port), "--webui-port", str(self.ui_port)],
            env,
        )
        for index in range(1, workers + 1):
            work_dir = os.path.join(log_dir, f"worker-{index}")
            self.daemons.spawn(
                f"worker-{index}",
                [spark_class, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                 "--port", str(free_port()), "--webui-port", str(free_port()),
                 "--cores", str(cores), "--memory", memory, "--work-dir", work_dir, self.url],
                env,
            )
        self.daemons.wait_until(
            lambda: self.state()["aliveworkers"] == workers, f"{workers} workers alive"
        )

    def state(self):
        """The master's view (its web UI's JSON)."""
        return http_json(f"http://127.0.0.1:{self.ui_port}/json/")

    def stop(self):
        self.daemons.stop()


class ConnectServer:
    """A Spark Connect server (`SparkConnectServer`, as `sbin/start-connect-server.sh` submits
    it) on `local[2]`, whose Python processes run `python`."""

    def __init__(self, log_dir, python, name="connect"):
        self.daemons = Daemons(log_dir)
        port = free_port()
        self.url = f"sc://127.0.0.1:{port}"
        self.daemons.spawn(
            name,
            [os.path.join(SPARK_HOME, "bin", "spark-submit"),
             "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
             "--master", "local[2]",
             "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
             "--conf", f"spark.connect.grpc.binding.port={port}",
             "--conf", "spark.ui.enabled=false",
             "--conf", "spark.sql.shuffle.partitions=2",
             "spark-internal"],
            spark_env(python),
        )
        self.daemons.wait_until(
            lambda: port_open(port),
            "Spark Connect server listening",
        )

    def stop(self):
        self.daemons.stop()
