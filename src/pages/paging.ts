/** Cuts items into pages of `size`; an empty list still gets one (empty) page. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const pages: T[][] = [];
  for (let start = 0; start < items.length || pages.length === 0; start += size) {
    pages.push(items.slice(start, start + size));
  }
  return pages;
}

export interface Pager {
  number: number;
  count: number;
  previous: string | null;
  next: string | null;
}

/** Links to a paged page's neighbours; `href(n)` gives page n's link. */
export function pager(number: number, count: number, href: (page: number) => string): Pager {
  return {
    number,
    count,
    previous: number > 1 ? href(number - 1) : null,
    next: number < count ? href(number + 1) : null,
  };
}
