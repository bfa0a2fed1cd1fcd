import { metadataFromBatch } from '../model/fromBatch';

test("a batch's metadata: its app, rows in order as grid text, fan-in and settings", () => {
  const batch: any = {
    id: 'b1',
    app: 'demo-wordcount',
    label: 'counts',
    backend: 'local',
    resources: { cpus: 2, memory: '1G' },
    maxParallel: 4,
    fanIn: { app: 'demo-merge', params: { title: 't' }, resources: {}, when: 'all_finished' },
  };
  const jobs: any[] = [
    { role: 'task', index: 1, params: { input: '/n/b.txt', n: 2 } },
    { role: 'fan_in', index: null, params: { title: 't' } },
    { role: 'task', index: 0, params: { input: '/n/a.txt', flags: ['x'] } },
  ];
  const m = metadataFromBatch(batch, jobs);
  expect(m.batchId).toBe('b1');
  expect(m.draft.app).toBe('demo-wordcount');
  expect(m.draft.label).toBe('counts');
  expect(m.draft.rows).toEqual([
    { input: '/n/a.txt', flags: '["x"]' },
    { input: '/n/b.txt', n: '2' },
  ]);
  expect(m.draft.resources).toEqual({ cpus: '2', memory: '1G' });
  expect(m.draft.maxParallel).toBe('4');
  expect(m.draft.fanIn).toEqual({
    app: 'demo-merge',
    when: 'all_finished',
    params: { title: 't' },
    resources: {},
  });
});
