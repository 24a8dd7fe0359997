// GPUStack's paginated lists: {items: [...], pagination: {page, perPage, total, totalPage}}.
// inference-backends computes totalPage as total / perPage, a fraction: round up, never trust it alone.

import { isRecord } from './http';

/** GPUStack 0.x refuses more than 100 per page. */
export const PER_PAGE = 100;
/** 10,000 workers or backends is more than any cluster; a lying server cannot loop us forever. */
export const MAX_PAGES = 100;

export interface Page {
  items: unknown[];
  totalPages: number;
}

export function pageOf(body: unknown, perPage = PER_PAGE): Page | null {
  if (!isRecord(body) || !Array.isArray(body.items)) return null;
  const pagination = isRecord(body.pagination) ? body.pagination : {};
  const stated = Number(pagination.totalPage);
  const total = Number(pagination.total);
  let totalPages = 1;
  if (Number.isFinite(stated) && stated > 0) totalPages = Math.ceil(stated);
  else if (Number.isFinite(total) && total > 0) totalPages = Math.ceil(total / perPage);
  return { items: body.items, totalPages: Math.min(totalPages, MAX_PAGES) };
}

/** `path?page=n&perPage=100`, keeping any query the path has. */
export function pagePath(path: string, page: number, perPage = PER_PAGE): string {
  return `${path}${path.includes('?') ? '&' : '?'}page=${page}&perPage=${perPage}`;
}
