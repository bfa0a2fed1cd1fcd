/**
 * condor_rm / condor_hold / condor_release on ids, clusters or -constraint, with the
 * messages tool.cpp and the schedd's action results print; exit 1 when any id failed.
 */
'use strict';
const L = require('./lib');

const WORD = { rm: 'removal', hold: 'hold', release: 'release' };

module.exports = function action(kind) {
  L.requireState();
  const argv = process.argv.slice(2);
  L.logCall(`condor_${kind}`, argv);
  const opts = L.parseArgs(argv, ['name', 'pool', 'reason', 'subcode', 'addr']);
  if (L.isDown())
    L.die(
      "Can't find address of local schedd\nCouldn't find/" +
        (kind === 'rm' ? 'remove' : kind) +
        ' all jobs'
    );
  const out = [];
  const err = [];
  let failed = false;
  const verb = kind === 'rm' ? 'remove' : kind;
  const apply = ad => {
    if (kind === 'rm') {
      if (ad.JobStatus === 3) return `Job ${L.idOf(ad)} already marked for removal`;
      if (ad._pid && L.alive(ad._pid)) L.killGroup(ad._pid, 'SIGTERM');
      L.setStatus(ad, 3);
      ad.RemoveReason = `via condor_rm (by user ${ad.Owner})`;
      return null;
    }
    if (kind === 'hold') {
      if (ad.JobStatus === 5) return `Job ${L.idOf(ad)} already held`;
      const code = Number(process.env.FAKE_CONDOR_HOLD_CODE || 1);
      const sub = Number(opts.subcode || process.env.FAKE_CONDOR_HOLD_SUBCODE || 0);
      L.hold(
        ad,
        code,
        sub,
        typeof opts.reason === 'string' ? opts.reason : `via condor_hold (by user ${ad.Owner})`
      );
      return null;
    }
    if (ad.JobStatus !== 5) return `Job ${L.idOf(ad)} not held to be released`;
    L.setStatus(ad, 1);
    delete ad.HoldReason;
    ad.LastHoldReasonCode = ad.HoldReasonCode;
    delete ad.HoldReasonCode;
    delete ad.HoldReasonSubCode;
    L.userLog(ad, '013', 'Job was released.');
    return null;
  };
  L.withLock(() => {
    const s = L.load();
    L.tick(s);
    const live = s.queue.filter(a => a._materialized);
    for (const pos of opts.positional) {
      const m = /^(\d+)(?:\.(\d+))?$/.exec(pos);
      if (!m) {
        err.push(`Warning: unrecognized "${pos}" skipped.`);
        continue;
      }
      if (m[2] === undefined) {
        const c = Number(m[1]);
        const hit = live.filter(a => a.ClusterId === c);
        const problems = hit.map(apply).filter(Boolean);
        if (kind === 'rm') s.queue = s.queue.filter(a => a.ClusterId !== c || a._materialized);
        if (hit.length === 0 || problems.length) {
          failed = true;
          err.push(...problems, `Couldn't find/${verb} all jobs in cluster ${c}.`);
        } else {
          out.push(`Cluster ${c} has been marked for ${WORD[kind]}.`);
        }
        continue;
      }
      const ad = live.find(a => a.ClusterId === Number(m[1]) && a.ProcId === Number(m[2]));
      if (!ad) {
        failed = true;
        err.push(`Job ${pos} not found`);
        continue;
      }
      const problem = apply(ad);
      if (problem) {
        failed = true;
        err.push(problem);
      } else {
        out.push(
          kind === 'rm'
            ? `Job ${pos} marked for removal`
            : `Job ${pos} ${kind === 'hold' ? 'held' : 'released'}`
        );
      }
    }
    for (const c of opts.constraints) {
      const f = L.parseConstraint(c);
      const hit = live.filter(a => f(a));
      hit.forEach(apply);
      if (hit.length === 0) {
        failed = true;
        err.push(
          'There are no jobs in the queue',
          `Couldn't find/${verb} all jobs matching constraint (${c})`
        );
      } else {
        out.push(`All jobs matching constraint (${c}) have been marked for ${WORD[kind]}`);
      }
    }
    L.save(s);
  });
  if (out.length) process.stdout.write(out.join('\n') + '\n');
  if (err.length) process.stderr.write(err.join('\n') + '\n');
  process.exit(failed ? 1 : 0);
};
