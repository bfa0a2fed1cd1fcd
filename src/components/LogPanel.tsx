/** A live log tail: REST for what exists, then WebSocket `logs` with follow. */
import * as React from 'react';
import type { JobRecord } from '../api/types';
import { isTerminal } from '../api/types';
import { useView } from './context';

const MAX_CHARS = 2_000_000;

function byteLen(s: string): number {
  return new Blob([s]).size;
}

export function LogPanel(props: {
  job: JobRecord;
  onClose: () => void;
  title: string;
}): JSX.Element {
  const { bulkrun, trans } = useView();
  const [stream, setStream] = React.useState<'stdout' | 'stderr'>(
    props.job.status === 'error' ? 'stderr' : 'stdout'
  );
  const [text, setText] = React.useState('');
  const [error, setError] = React.useState('');
  const [follow, setFollow] = React.useState(true);
  const pre = React.useRef<HTMLPreElement>(null);
  const jobId = props.job.id;

  React.useEffect(() => {
    let live = true;
    let offset = 0;
    let stop: (() => void) | null = null;
    setText('');
    setError('');
    const append = (data: string) => {
      setText(t => {
        const n = t + data;
        return n.length > MAX_CHARS ? n.slice(n.length - MAX_CHARS) : n;
      });
    };
    const onLog = (
      _: unknown,
      ev: { jobId: string; stream: string; offset: number; data: string }
    ) => {
      if (ev.jobId !== jobId || ev.stream !== stream || !live) {
        return;
      }
      const end = ev.offset + byteLen(ev.data);
      if (end <= offset) {
        return;
      }
      // Replays overlapping what REST gave are cut at the byte we already have.
      const data =
        ev.offset < offset
          ? new TextDecoder().decode(new TextEncoder().encode(ev.data).slice(offset - ev.offset))
          : ev.data;
      offset = end;
      append(data);
    };
    (async () => {
      try {
        for (let i = 0; i < 50; i++) {
          const chunk = await bulkrun.client.logs(jobId, { stream, offset });
          if (!live) {
            return;
          }
          append(chunk.data);
          offset = chunk.nextOffset;
          if (chunk.eof || !chunk.data) {
            break;
          }
        }
        if (!live) {
          return;
        }
        bulkrun.events.logEvent.connect(onLog);
        if (!isTerminal(props.job.status)) {
          stop = bulkrun.events.followLogs(jobId, stream, offset);
        }
      } catch (e) {
        if (live) {
          setError((e as Error).message);
        }
      }
    })();
    return () => {
      live = false;
      bulkrun.events.logEvent.disconnect(onLog);
      stop?.();
    };
    // The job's status only decides whether to follow at open time.
  }, [jobId, stream]);

  React.useEffect(() => {
    if (follow && pre.current) {
      pre.current.scrollTop = pre.current.scrollHeight;
    }
  }, [text, follow]);

  return (
    <section className="jp-Bulkrun-logs" aria-label={trans.__('Log of %1', props.title)}>
      <header className="jp-Bulkrun-logs-head">
        <strong>{props.title}</strong>
        <div role="tablist" aria-label={trans.__('Stream')}>
          {(['stdout', 'stderr'] as const).map(s => (
            <button
              key={s}
              role="tab"
              aria-selected={stream === s}
              className={`jp-Bulkrun-tabbutton${stream === s ? ' jp-mod-active' : ''}`}
              onClick={() => setStream(s)}
            >
              {s}
            </button>
          ))}
        </div>
        <label className="jp-Bulkrun-check">
          <input type="checkbox" checked={follow} onChange={e => setFollow(e.target.checked)} />
          {trans.__('Follow')}
        </label>
        <button
          className="jp-Bulkrun-iconbutton"
          aria-label={trans.__('Close log')}
          onClick={props.onClose}
        >
          ✕
        </button>
      </header>
      {error ? <div className="jp-Bulkrun-error">{error}</div> : null}
      <pre ref={pre} className="jp-Bulkrun-logtext" tabIndex={0}>
        {text || (error ? '' : trans.__('(no output yet)'))}
      </pre>
    </section>
  );
}
