#!/bin/sh
# Run from the worktree as the grader. Logs, every 50 ms, whether the kernel and its detached
# process are alive (by the names they gave themselves) and how long `cat` of the leased file takes.
F=$(/work/main/.venv/bin/python -c 'import os; print(os.path.join(os.path.dirname(os.__file__), "LICENSE.txt"))')
( i=0; while [ $i -lt 1200 ]; do s=$(date +%s.%N); cat "$F" >/dev/null; e=$(date +%s.%N)
  echo "$s cat=$(echo "$e - $s" | bc) kernel=$(pgrep -x dlcv-kernel | wc -l) orphan=$(pgrep -x dlcv-orphan | wc -l)"
  i=$((i+1)); sleep 0.05; done > /tmp/orphan_lease_times.txt ) & LOOP=$!
/work/main/.venv/bin/python /work/scratch/one_escape.py outlives_its_kernel_until_the_next_fork | grep '\[kernel\]'
kill $LOOP
grep -v 'kernel=0 orphan=0' /tmp/orphan_lease_times.txt | awk '{print $2, $3, $4}' | uniq -c
