// One repo's GGUF models, as the worker grouped them (split shards under their first shard), with
// the vision projectors shown as part of every model. Nothing is checked until the user picks a file;
// the pick's verdict is the shared CheckControl, and each entry carries the automation contract's
// data-* attributes, like the <gpustack-check> controls on huggingface.co pages.

import { render } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import css from '../../utils/common/check-control.css?inline';
import { writeAttributes } from '../../utils/common/control-attributes';
import type { ControlState } from '../../utils/common/control-state';
import { t } from '../../utils/common/i18n';
import type { GgufModelEntry } from '../../utils/common/protocol';
import { formatBytes } from '../../utils/lib/format';
import { CheckControl } from '../shared/CheckControl';
import { checkKey, type OpenedState } from './controller';

export interface ModelViewProps {
  opened: OpenedState;
  checks: Record<string, ControlState>;
  now: number;
  onBack(): void;
  onSelect(file: string): void;
  onRetryFiles(): void;
}

const IDLE: ControlState = { state: 'idle' };

function hubUrl(repo: string): string {
  return `https://huggingface.co/${repo.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * The shared control, drawn as on huggingface.co pages: inside a shadow root with its own sheet, so
 * its styles and the popup's stay apart. Open: this is the extension's own page, not a web page.
 */
function Verdict({ view, now }: { view: ControlState; now: number }) {
  const host = useRef<HTMLSpanElement>(null);
  const mount = useRef<HTMLElement | null>(null);
  useLayoutEffect(() => {
    const element = host.current;
    if (!element) return;
    if (!mount.current) {
      const root = element.attachShadow({ mode: 'open' });
      const style = document.createElement('style');
      // The control is made for one line beside a link; in the popup it may wrap to the row's width.
      style.textContent = `${css}\n.label{flex-wrap:wrap;white-space:normal}`;
      const inner = document.createElement('span');
      inner.className = 'gs';
      root.append(style, inner);
      mount.current = inner;
    }
    render(<CheckControl view={view} now={now} />, mount.current);
  }, [view, now]);
  useEffect(
    () => () => {
      if (mount.current) render(null, mount.current);
    },
    [],
  );
  return <span class="verdict" ref={host} aria-live="polite" />;
}

function FileEntry(props: {
  repo: string;
  entry: GgufModelEntry;
  withProjector: boolean;
  selected: boolean;
  view: ControlState | undefined;
  now: number;
  onSelect(file: string): void;
}) {
  const { repo, entry, view } = props;
  const button = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => {
    if (button.current) writeAttributes(button.current, view ?? IDLE);
  }, [view]);
  return (
    <li>
      <button
        type="button"
        ref={button}
        class="row file"
        data-repo={repo}
        data-revision="main"
        data-file={entry.file}
        aria-current={props.selected ? 'true' : undefined}
        onClick={() => props.onSelect(entry.file)}
      >
        <span class="row-title">
          <span class="quant">{entry.label}</span>
          <span class="size">{formatBytes(entry.sizeBytes)}</span>
        </span>
        <span class="row-meta">
          <span class="path" title={entry.file}>
            {entry.file}
          </span>
          {entry.shards > 1 ? <span>{t('popupShards', entry.shards)}</span> : null}
          {props.withProjector ? <span class="projector">{t('popupWithProjector')}</span> : null}
        </span>
        {view ? <Verdict view={view} now={props.now} /> : null}
        {props.selected && view?.state === 'done' && view.result.messages.length > 0 ? (
          <span class="why">{view.result.messages.join(' ')}</span>
        ) : null}
      </button>
    </li>
  );
}

export function ModelView(props: ModelViewProps) {
  const { opened } = props;
  const back = useRef<HTMLButtonElement>(null);

  // Keyboard users land on Back; the arrow keys go on to the files.
  useLayoutEffect(() => {
    back.current?.focus({ preventScroll: true });
  }, []);

  const files = opened.files;
  return (
    <div class="scroll model">
      <div class="model-head">
        <div class="model-bar">
          <button type="button" ref={back} class="back" onClick={props.onBack} title={t('popupBackHint')}>
            ← {t('popupBack')}
          </button>
          <a class="hub" href={hubUrl(opened.repo)} target="_blank" rel="noreferrer">
            {t('popupOpenOnHub')} ↗
          </a>
        </div>
        <h2 class="repo">{opened.repo}</h2>
      </div>
      {opened.filesError ? (
        <div class="problem" role="alert">
          <span>{opened.filesError.message}</span>
          <button type="button" onClick={props.onRetryFiles}>
            {t('popupRetry')}
          </button>
        </div>
      ) : !files ? (
        <p class="note" role="status">
          {t('popupLoadingFiles')}
        </p>
      ) : files.models.length === 0 ? (
        <p class="note">{t('popupNoFiles')}</p>
      ) : (
        <>
          <p class="note">{t('popupChooseFile')}</p>
          <ul class="rows" aria-label={t('popupFilesLabel')}>
            {files.models.map((entry) => (
              <FileEntry
                key={entry.file}
                repo={opened.repo}
                entry={entry}
                withProjector={files.projectors.length > 0}
                selected={opened.selected === entry.file}
                view={props.checks[checkKey(opened.repo, entry.file)]}
                now={props.now}
                onSelect={props.onSelect}
              />
            ))}
          </ul>
          {files.projectors.length > 0 ? (
            <p class="note projectors">{t('popupProjectors', files.projectors.join(', '))}</p>
          ) : null}
        </>
      )}
    </div>
  );
}
