/** Layout checks the browser tests share: what a user would see as broken, measured in the page. */
import type { Locator, Page } from 'playwright-core';

/** The pieces of identifiers (between their separators) that the browser laid out on two lines: none is right. */
export function identifierPiecesSplit(page: Page): Promise<(string | null)[]> {
  return page.locator('.greenlight-ident__part').evaluateAll((parts) => parts.filter((p) => p.getClientRects().length > 1).map((p) => p.textContent));
}

/** Whether the page scrolls sideways: the document wider than the window. */
export function pageScrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

export interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** The element's border box in page coordinates, and whether its own content overflows it sideways. */
export async function boxOf(locator: Locator): Promise<Box & { readonly scrollsSideways: boolean }> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, scrollsSideways: el.scrollWidth > el.clientWidth };
  });
}
