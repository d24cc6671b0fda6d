"""Prints, as one JSON object, every task of an Airflow DAG file of lora-dist: its id, its shell command rendered for
a run date as Airflow would, that command split into words, and the lora-dist arguments inside it.
Usage: python3 dag_commands.py DAG_FILE DS. Needs no Airflow (the DAG file guards its import). Used by AirflowDagTest."""
import importlib.util
import json
import shlex
import sys

path, ds = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("lora_dist_dag", path)
dag = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dag)
tasks = []
for stage, _ in dag.STAGES:
    command = dag.render(dag.bash_command(stage), ds)
    tasks.append({"task_id": stage, "command": command, "argv": shlex.split(command),
                  "cli_args": dag.cli_args(stage, ds)})
print(json.dumps({"dag_id": dag.DAG_ID, "airflow_loaded": dag.DAG is not None, "tasks": tasks}))
