"""`chatops simulate`: per-minute traffic through the stack's autoscaling policies (pure: no I/O, no cloud).

traffic.py   built-in daily shapes, spikes, measured per-minute CSV values
demand.py    per-minute demand of each service from plan's demand model and a traffic shape
load.py      what a service's tasks carry and the metrics they publish, from the sizing model
cloudwatch.py M-of-N alarm windows
engine.py    ECS tasks and Application Auto Scaling, minute by minute
scenario.py  the whole stack: three services, alarms that fire
cost.py      the month's Fargate cost from simulated task time
recommend.py the cheapest profile changes that remove saturation, each verified by a re-run
report.py    the JSON shape (docs/simulate.md)
run.py       from a command's inputs to a report (shared by `simulate` and `cost-report --simulate`)
"""
