"""lora-dist as a daily Airflow pipeline: prep -> embed -> train -> writeback -> eval, one task per stage.

Each task runs one `lora-dist` command on the cluster through `deploy/bin/lora-dist-submit` (spark-submit with the
assembly jar). Every run writes under its own dated folder, `$LORA_DIST_DATA/runs/<ds>/<stage>`, so runs never
share outputs. Retries are safe because every stage is idempotent: it writes into a hidden staging folder and moves
it into place with `_manifest.json` and `_SUCCESS` only when complete, and the next attempt removes what a failed one
left; a stage reads only folders that are complete.

Settings (environment of the Airflow workers, read when the DAG file is parsed):

  LORA_DIST_SUBMIT      the launcher (default /opt/lora-dist/deploy/bin/lora-dist-submit)
  LORA_DIST_SPARK_ARGS  spark-submit options, shell words (default: --master yarn --deploy-mode cluster)
  LORA_DIST_DATA        root of the runs' outputs, any Hadoop path (default /data/lora-dist)
  LORA_DIST_CORPUS      the day's input for prep; may contain {{ ds }} (default $LORA_DIST_DATA/incoming/{{ ds }})
  LORA_DIST_TASK        classification or retrieval (default retrieval)
  LORA_DIST_TRAIN       training examples, jsonl or parquet (default $LORA_DIST_DATA/labels/train.jsonl)
  LORA_DIST_EVAL        held-out examples / queries with judgements (default $LORA_DIST_DATA/labels/eval.jsonl)
  LORA_DIST_TRAIN_CPUS  cores of each training executor, all given to its one task (default 4)
  LORA_DIST_TRAIN_WORKERS  training executors = data-parallel workers, one barrier task each (default 2)
  LORA_DIST_CONF        optional HOCON config passed to every stage with --conf (field names, model, ...); it is
                        read by the driver, so in cluster deploy mode it must exist on the cluster's nodes

The commands are plain data (STAGES, cli_args, bash_command) so that they can be checked without Airflow:
jobs/src/test/.../AirflowDagTest imports this file with python3 and runs every command through
`lora-dist ... --dry-run`. The Airflow part at the bottom is only built where Airflow is installed.
"""

from __future__ import annotations

import os
import shlex
from datetime import datetime, timedelta

DAG_ID = "lora_dist_pipeline"

SUBMIT = os.environ.get("LORA_DIST_SUBMIT", "/opt/lora-dist/deploy/bin/lora-dist-submit")
SPARK_ARGS = shlex.split(os.environ.get("LORA_DIST_SPARK_ARGS", "--master yarn --deploy-mode cluster"))
DATA = os.environ.get("LORA_DIST_DATA", "/data/lora-dist").rstrip("/")
CORPUS = os.environ.get("LORA_DIST_CORPUS", DATA + "/incoming/{{ ds }}")
TASK = os.environ.get("LORA_DIST_TASK", "retrieval")
TRAIN = os.environ.get("LORA_DIST_TRAIN", DATA + "/labels/train.jsonl")
EVAL = os.environ.get("LORA_DIST_EVAL", DATA + "/labels/eval.jsonl")
TRAIN_CPUS = int(os.environ.get("LORA_DIST_TRAIN_CPUS", "4"))
TRAIN_WORKERS = int(os.environ.get("LORA_DIST_TRAIN_WORKERS", "2"))
CONF = os.environ.get("LORA_DIST_CONF", "")

# The run's folder: Airflow renders {{ ds }} (the logical date, YYYY-MM-DD) in each task's command.
RUN = DATA + "/runs/{{ ds }}"

# (task id, lora-dist arguments), in pipeline order; each task depends on the one before it.
STAGES: list[tuple[str, list[str]]] = [
    ("prep", ["prep", "--input", CORPUS, "--output", RUN + "/prep"]),
    # Base-model embeddings of the chunks: the baseline the adapter must beat, and the search index until it does.
    ("embed", ["embed", "--chunks", RUN + "/prep/chunks", "--output", RUN + "/embed"]),
    # An interrupted attempt's retry resumes from its last checkpoint (same inputs and settings, same output folder).
    ("train", ["train", "--task", TASK, "--train", TRAIN, "--eval", EVAL, "--workers", str(TRAIN_WORKERS),
               "--output", RUN + "/train"]),
    ("writeback", ["writeback", "--chunks", RUN + "/prep/chunks", "--adapter", RUN + "/train/adapter",
                   "--output", RUN + "/writeback"]),
    # The adapter next to the base model on the same held-out data: the base embeddings (embed) are the baseline.
    ("eval", ["eval", "--task", TASK]
     + (["--embeddings", RUN + "/writeback", "--queries", EVAL, "--judgements", EVAL, "--chunks", RUN + "/prep"]
        if TASK == "retrieval" else ["--predictions", RUN + "/writeback", "--gold", EVAL, "--train", TRAIN])
     + ["--baseline", RUN + "/embed", "--output", RUN + "/eval"]),
]

# Training runs one long barrier task per executor for the whole step loop, and PyTorch sizes its thread pool from
# spark.task.cpus: give each task all of its executor's cores (one trainer per executor, no oversubscription).
# Barrier stages need all their slots at once, which dynamic allocation cannot promise: one executor per worker.
STAGE_SPARK_ARGS: dict[str, list[str]] = {
    "train": ["--conf", f"spark.executor.cores={TRAIN_CPUS}", "--conf", f"spark.task.cpus={TRAIN_CPUS}",
              "--conf", f"spark.executor.instances={TRAIN_WORKERS}",
              "--conf", "spark.dynamicAllocation.enabled=false"],
}


def cli_args(stage: str, ds: str | None = None) -> list[str]:
    """The lora-dist arguments of a stage; with ds, rendered for that date as Airflow would."""
    command, *flags = dict(STAGES)[stage]
    args = [command, *(["--conf", CONF] if CONF else []), *flags]
    return args if ds is None else [render(a, ds) for a in args]


def bash_command(stage: str) -> str:
    """The shell command of a stage's task, with {{ ds }} left for Airflow to render."""
    words = [SUBMIT, *SPARK_ARGS, "--name", f"lora-dist-{stage}-{{{{ ds }}}}", *STAGE_SPARK_ARGS.get(stage, []),
             *cli_args(stage)]
    return shlex.join(words)


def render(template: str, ds: str) -> str:
    """The one template this DAG uses; Airflow's Jinja does the same for {{ ds }}."""
    return template.replace("{{ ds }}", ds)


try:  # Airflow 2.4+ / 3; the plain data above needs none of it.
    from airflow import DAG

    try:
        from airflow.providers.standard.operators.bash import BashOperator
    except ImportError:
        from airflow.operators.bash import BashOperator
except ImportError:
    DAG = None

if DAG is not None:
    with DAG(
        dag_id=DAG_ID,
        description="lora-dist: prep -> embed -> train -> writeback -> eval on the cluster, dated outputs",
        schedule="@daily",
        start_date=datetime(2024, 1, 1),
        catchup=False,
        max_active_runs=1,  # the stages share one cluster; dated folders would allow more
        default_args={
            "retries": 2,  # safe: stages are idempotent (atomic outputs, see the module doc)
            "retry_delay": timedelta(minutes=5),
            "retry_exponential_backoff": True,
        },
        tags=["lora-dist", "spark"],
    ) as dag:
        previous = None
        for stage, _ in STAGES:
            task = BashOperator(task_id=stage, bash_command=bash_command(stage))
            if previous is not None:
                previous >> task
            previous = task
