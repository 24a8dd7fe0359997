// The contract between the page session (on every Hugging Face page, drawn without Preact) and the
// page UI module (Preact: verdicts, popovers, a bulk run's progress, our quantization list), which
// the session imports when a control first leaves its idle state. The UI knows the session only
// through this file; the session reaches the UI only through `PageUi`.

import type { ControlState } from '../common/control-state';
import type { MessageTemplates } from '../common/i18n';
import type { CheckResult } from '../common/result';

/** Our elements, by name (the automation contract). */
export const TAGS = {
  control: 'gpustack-check',
  bulk: 'gpustack-bulk',
  quants: 'gpustack-quants',
  live: 'gpustack-live',
} as const;

/** Where the page UI module leaves itself, in the content scripts' own world. */
export const PAGE_UI_GLOBAL = '__gpustackPageUi';

export interface BulkView {
  phase: 'idle' | 'running' | 'done' | 'cancelled';
  done: number;
  total: number;
  /** After a complete run: the quantization to pick, or null when none fits entirely on GPU. */
  best?: string | null;
}

export interface BulkActions {
  start(): void;
  cancel(): void;
}

/** Viewport coordinates: below the control, or above it near the bottom of the window. */
export interface PopoverPlace {
  left: number;
  top?: number;
  bottom?: number;
}

export interface PopoverProps {
  result: CheckResult;
  /** A re-check runs: the last result stays, its actions wait. */
  busy: boolean;
  now: number;
  /** Context size the user picked here, if any. */
  contextSize?: number;
  place: PopoverPlace;
  onClose(): void;
  onCheck(contextSize?: number): void;
}

export interface ControlPaint {
  view: ControlState;
  best: boolean;
  /** The popover, when open. */
  popover?: PopoverProps;
}

export interface BulkPaint {
  view: BulkView;
  actions: BulkActions;
  /** Our quantization list: the files whose controls are slotted into its rows. */
  listed?: readonly string[];
}

export interface PageUi {
  /**
   * The page's strings, from the session, before anything is drawn: the UI's own bundle never asks
   * the browser (a page's first browser.i18n lookup blocks its main thread).
   */
  setStrings(templates: MessageTemplates): void;
  paintControl(mount: HTMLElement, paint: ControlPaint): void;
  paintBulk(mount: HTMLElement, paint: BulkPaint): void;
}
