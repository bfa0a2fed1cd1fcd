#!/bin/bash
# Bulkrun job wrapper, shared by every backend: bash wrapper.sh WORKDIR
# Runs the argv stored in WORKDIR/job (NUL-separated, never re-parsed by a shell)
# with the environment stored there too, and records start and exit in WORKDIR so the
# server can recover the truth after a restart. Kept to builtins on the hot path.
# (The local backend runs the same steps in perl, in its spawner's keeper: spawner.pl.)
d=$1
cd "$d" || exit 97
# Without its job file there is nothing to run (an empty command would "succeed").
[ -s job ] || { echo "bulkrun: $d/job is missing" >&2; exit 98; }
# A finished job never runs again (a requeue or a duplicate submission after a crash).
[ -s exit ] && exit 0
# Claim the run atomically: exactly one wrapper per work dir gets past this line.
# (noclobber makes the redirection an O_EXCL create; a group, not a subshell: no fork.)
set -o noclobber
if ! { printf '%s %s\n' "$$" "${EPOCHREALTIME/./}" > claim; } 2>/dev/null; then
  # Someone else holds the claim. A Slurm/HTCondor requeue of the same job id may rerun it.
  if [ -z "$BULKRUN_REQUEUE_OK" ]; then exit 75; fi
fi
set +o noclobber
printf '%s %s\n' "$$" "${EPOCHREALTIME/./}" > started
# job: <n>\0, n KEY=value\0 entries, then the argv (one file: one write per job at submit).
mapfile -d '' -t job < job
n=${job[0]}
# Peak memory: GNU time measures it, when the node has it, into `usage` (its %M, KiB):
# one extra process per job, small next to a scheduler's cost. (Local jobs run under the
# spawner's keeper instead, whose wait4 reads it from the kernel.)
measure=
if [ -x /usr/bin/time ] && /usr/bin/time -q -f %M -o /dev/null true 2>/dev/null; then
  measure=1
fi
[ "$n" -gt 0 ] && export "${job[@]:1:n}"
# With BULKRUN_REPORT set (Slurm, HTCondor), the job tells the server at once that it
# started and that it wrote its exit record, so its state shows now, not at the next poll
# (engine/reports.ts). Best effort and bounded: the poll is the backstop. The token goes
# on curl's stdin, never in its argv, which other users of the node can read.
report() {
  local u=${BULKRUN_URL%/} sock=()
  case $u in unix:*) sock=(--unix-socket "${u#unix:}"); u=http://localhost ;; esac
  curl -fsS -o /dev/null --connect-timeout 1 -m 3 "${sock[@]}" -K - \
    -H 'Content-Type: application/json' --data "{\"event\":\"$1\"}" \
    "$u/api/v1/jobs/$BULKRUN_JOB_ID/report" \
    <<< "header = \"Authorization: token $BULKRUN_TOKEN\"" > /dev/null 2>&1
}
if [ -n "$BULKRUN_REPORT" ] && [ -n "$BULKRUN_URL" ] && command -v curl > /dev/null; then
  ( report started & ) # in a grandchild: its CPU is not counted as the job's
else
  BULKRUN_REPORT=
fi
if [ -n "$measure" ]; then
  /usr/bin/time -q -f %M -o usage "${job[@]:n+1}" > stdout.log 2> stderr.log < /dev/null
else
  "${job[@]:n+1}" > stdout.log 2> stderr.log < /dev/null
fi
rc=$?
# CPU time of the job's processes: this shell's cutime + cstime, in clock ticks (1/100 s
# in /proc on Linux), read with a builtin; "-" where /proc is missing.
cpu=-
if read -r -a st < /proc/$$/stat 2>/dev/null; then cpu=$((st[15] + st[16])); fi
# One small write: a reader treats a line without its newline as not yet written.
printf '%s %s %s\n' "$rc" "${EPOCHREALTIME/./}" "$cpu" > exit
[ -n "$BULKRUN_REPORT" ] && report exited
exit $rc
