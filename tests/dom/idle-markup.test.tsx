// Idle controls and the idle bulk bar are drawn without Preact (a page's first controls would
// otherwise pay for Preact's first render); Preact takes over from the first change. The two
// drawings must not differ, and the bar's button keeps the focus when Preact takes over.

import { type ComponentChild, render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { BulkBar } from '../../components/page/BulkBar';
import { CheckControl } from '../../components/shared/CheckControl';
import { createBulkHost } from '../../utils/page/hosts/bulk-host';
import { createCheckHost, drawIdle } from '../../utils/page/hosts/check-host';
import { recordShadowRoots, verdict } from './page-support';

let shadows: ReturnType<typeof recordShadowRoots> | null = null;
afterEach(() => {
  shadows?.restore();
  shadows = null;
  document.body.innerHTML = '';
});

const preactHtml = (vnode: ComponentChild) => {
  const box = document.createElement('span');
  render(vnode, box);
  return box.innerHTML;
};

describe('drawn without Preact while idle', () => {
  it('an idle control looks exactly as CheckControl draws it', () => {
    const mount = document.createElement('span');
    drawIdle(mount);
    expect(mount.innerHTML).toBe(preactHtml(<CheckControl view={{ state: 'idle' }} />));
  });

  it('a control drawn idle, then answered, then idle again', () => {
    shadows = recordShadowRoots();
    const host = createCheckHost(document, { repo: 'a/b', revision: 'main', file: 'x.gguf' }, () => {});
    document.body.append(host.element);
    const mount = () => shadows?.rootOf(host.element).querySelector('.gs') as HTMLElement;
    expect(mount().innerHTML).toBe(preactHtml(<CheckControl view={{ state: 'idle' }} />));
    host.show({ state: 'done', result: verdict('x.gguf') });
    expect(mount().querySelectorAll('.label')).toHaveLength(1);
    expect(mount().textContent).toContain('Fits on GPU');
    host.show({ state: 'idle' });
    expect(mount().innerHTML).toBe(preactHtml(<CheckControl view={{ state: 'idle' }} />));
  });

  it('every shadow root has the stylesheet, adopted or as a <style>', () => {
    shadows = recordShadowRoots();
    const a = createCheckHost(document, { repo: 'a/b', revision: 'main', file: 'x.gguf' }, () => {});
    const b = createCheckHost(document, { repo: 'a/b', revision: 'main', file: 'y.gguf' }, () => {});
    for (const host of [a, b]) {
      const root = shadows.rootOf(host.element);
      const sheets = root.adoptedStyleSheets?.length ?? 0;
      expect(sheets + root.querySelectorAll('style').length).toBe(1);
    }
  });

  it('the idle bulk bar looks as BulkBar draws it, and its button keeps the focus into the run', () => {
    shadows = recordShadowRoots();
    const actions = { start: () => bar.show({ phase: 'running', done: 0, total: 3 }), cancel: () => {} };
    const bar = createBulkHost(document, actions);
    document.body.append(bar.element);
    bar.show({ phase: 'idle', done: 0, total: 3 });
    const root = shadows.rootOf(bar.element);
    const mount = root.querySelector('.gs') as HTMLElement;
    expect(mount.innerHTML).toBe(
      preactHtml(<BulkBar view={{ phase: 'idle', done: 0, total: 3 }} actions={actions} />),
    );
    const button = mount.querySelector('button') as HTMLButtonElement;
    button.focus();
    button.click();
    expect(bar.element.dataset.state).toBe('running');
    expect(mount.querySelector('button')?.textContent).toBe('Cancel');
    expect(root.activeElement).toBe(mount.querySelector('button'));
  });
});
