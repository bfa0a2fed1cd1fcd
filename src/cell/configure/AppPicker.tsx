/**
 * A combobox of the server's apps: it shows the chosen app until the user types, then
 * filters by id, title and description (src/model/apppicker.ts).
 */
import * as React from 'react';
import type { AppDefinition } from '../../api/types';
import { useView } from '../../components/context';
import {
  activeSearch,
  appLabel,
  appMatches,
  searchFromInput,
  shownText,
  typedCharacter,
} from '../../model/apppicker';

export function AppPicker(props: {
  apps: AppDefinition[] | null;
  value: string;
  disabled: boolean;
  label: string;
  onChange: (id: string) => void;
}): JSX.Element {
  const { trans } = useView();
  const [query, setQuery] = React.useState('');
  const [open, setOpen] = React.useState(false);
  const [active, setActive] = React.useState(0);
  // Whether the box holds the user's search; until then it shows the chosen app.
  const [typing, setTyping] = React.useState(false);
  const justFocused = React.useRef(false);
  const focused = React.useRef(false);
  const apps = props.apps ?? [];
  const current = apps.find(a => a.id === props.value);
  const chosen = current ? appLabel(current) : null;
  const matches = appMatches(apps, activeSearch({ typing, query, chosen }));
  const choose = (a: AppDefinition) => {
    props.onChange(a.id);
    setOpen(false);
    setQuery('');
    setTyping(false);
  };
  const search = (text: string) => {
    setQuery(text);
    setTyping(true);
    setOpen(true);
    setActive(0);
  };
  const listId = React.useId();
  return (
    <div className="jp-Bulkrun-apppicker">
      <input
        className="jp-Bulkrun-input"
        role="combobox"
        aria-label={props.label}
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        disabled={props.disabled}
        placeholder={chosen ?? trans.__('Search apps…')}
        value={shownText({ typing, query, chosen })}
        onFocus={e => {
          // The chosen app's label is selected, so what is typed replaces it.
          focused.current = true;
          setOpen(true);
          setTyping(false);
          if (chosen !== null) {
            setQuery('');
            // Unfiltered, the list is in app order: Enter keeps the chosen app.
            setActive(Math.max(0, apps.indexOf(current!)));
          }
          e.currentTarget.select();
          justFocused.current = true;
        }}
        onMouseUp={e => {
          // Keep the selection made on focus instead of placing the caret.
          if (justFocused.current) {
            justFocused.current = false;
            e.preventDefault();
          }
        }}
        onBlur={() => {
          justFocused.current = false;
          focused.current = false;
          // Later, so a click on the list still chooses; not when the box has the focus again.
          setTimeout(() => {
            if (!focused.current) {
              setOpen(false);
              setTyping(false);
            }
          }, 150);
        }}
        onChange={e => search(searchFromInput(e.target.value, { typing, chosen }))}
        onKeyDown={e => {
          justFocused.current = false;
          if (!typing && chosen !== null) {
            // The first key typed over the chosen app starts a new search.
            const c = typedCharacter(e);
            if (c !== null) {
              e.preventDefault();
              search(c);
              return;
            }
            if (e.key === 'Backspace' || e.key === 'Delete') {
              e.preventDefault();
              search('');
              return;
            }
          }
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
            setActive(i => Math.min(matches.length - 1, i + 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive(i => Math.max(0, i - 1));
          } else if (e.key === 'Enter' && open && matches[active]) {
            e.preventDefault();
            choose(matches[active]);
          } else if (e.key === 'Escape') {
            setOpen(false);
            setTyping(false);
          }
        }}
      />
      {open && !props.disabled ? (
        <ul className="jp-Bulkrun-applist" role="listbox" id={listId}>
          {matches.length === 0 ? (
            <li className="jp-Bulkrun-muted">
              {props.apps === null ? trans.__('Loading apps…') : trans.__('No app matches')}
            </li>
          ) : null}
          {matches.map((a, i) => (
            <li
              key={a.id}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'jp-mod-active' : ''}
              onMouseDown={e => {
                e.preventDefault();
                choose(a);
              }}
            >
              <strong>{a.title}</strong>{' '}
              <span className="jp-Bulkrun-muted">
                {a.id} {a.version}
              </span>
              <div className="jp-Bulkrun-muted">{a.description}</div>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
