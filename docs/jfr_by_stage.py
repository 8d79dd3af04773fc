#!/usr/bin/env python3
"""Where a forward pass spends its time, from a Java Flight Recorder file of `./mixtral bench`:
the share of samples (Java and native) whose stack is inside MixtralModel.forward, grouped by the innermost
model class and method (Expert.forward, Attention.forward, Rope.apply, ...) and by the ND4J native call.

  MIXTRAL_JAVA_OPTS="-XX:StartFlightRecording=filename=bench.jfr,settings=profile" ./mixtral bench --no-hf
  python3 docs/jfr_by_stage.py bench.jfr
"""
import collections
import json
import subprocess
import sys


def frames(event):
    trace = event["values"].get("stackTrace") or {"frames": []}
    return [(f["method"]["type"]["name"], f["method"]["name"]) for f in trace["frames"]]


def main(path):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events",
                          "jdk.NativeMethodSample,jdk.ExecutionSample", path],
                         capture_output=True, text=True, check=True).stdout
    stages, natives = collections.Counter(), collections.Counter()
    for event in json.loads(out)["recording"]["events"]:
        stack = frames(event)
        if not any(t == "mixtral/model/MixtralModel" and m == "forward" for t, m in stack):
            continue
        model = [f"{t.split('/')[-1]}.{m}" for t, m in stack if t.startswith("mixtral/model/")]
        stages[" < ".join(model[:2])] += 1
        natives[f"{stack[0][0].split('/')[-1]}.{stack[0][1]}"] += 1
    total = sum(stages.values())
    print(f"{total} samples inside MixtralModel.forward")
    for name, n in stages.most_common(20):
        print(f"{100 * n / total:5.1f}%  {name}")
    print("\ninnermost frame:")
    for name, n in natives.most_common(8):
        print(f"{100 * n / total:5.1f}%  {name}")


if __name__ == "__main__":
    main(sys.argv[1])
