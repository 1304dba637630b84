/**
 * @module greenlight's CSS. Every class starts with `greenlight`, so nothing leaks into Argo CD's
 * pages; colours are custom properties on `.greenlight`, overridden under Argo CD's
 * `.theme-dark` wrapper. Injected once, as a constructable stylesheet where the browser has them
 * (not subject to a `style-src` CSP), else as one `<style id="greenlight-styles">`.
 */

export const STYLE_ELEMENT_ID = 'greenlight-styles';

export const CSS = `
.greenlight {
  --greenlight-fg: #363c4a;
  --greenlight-muted: #6d7f8b;
  --greenlight-bg: #ffffff;
  --greenlight-surface: #f4f6f8;
  --greenlight-border: #dee6eb;
  --greenlight-link: #0d6ebe;
  --greenlight-ok: #18be94;
  --greenlight-ok-bg: #e3f8f1;
  --greenlight-info: #0dadea;
  --greenlight-info-bg: #e1f5fd;
  --greenlight-warn: #b77f00;
  --greenlight-warn-bg: #fff4d6;
  --greenlight-bad: #d9304f;
  --greenlight-bad-bg: #fde7eb;
  --greenlight-blue: #2b6cd9;
  --greenlight-green: #17946f;
  color: var(--greenlight-fg);
  background: var(--greenlight-bg);
  font-size: 13px;
  line-height: 1.45;
  box-sizing: border-box;
}
.theme-dark .greenlight {
  --greenlight-fg: #dee6eb;
  --greenlight-muted: #a3b2bd;
  --greenlight-bg: #1f2229;
  --greenlight-surface: #2a2f38;
  --greenlight-border: #414854;
  --greenlight-link: #6fb7ff;
  --greenlight-ok: #3fd7ad;
  --greenlight-ok-bg: #123a31;
  --greenlight-info: #58c8f2;
  --greenlight-info-bg: #113544;
  --greenlight-warn: #f2c14e;
  --greenlight-warn-bg: #3d3214;
  --greenlight-bad: #ff7b8f;
  --greenlight-bad-bg: #47202a;
  --greenlight-blue: #7aa7ff;
  --greenlight-green: #4fd1a5;
}
.greenlight *, .greenlight *::before, .greenlight *::after { box-sizing: inherit; }
.greenlight-page { padding: 16px 20px; }
.greenlight-section { margin: 0 0 18px; }
.greenlight-heading { font-size: 16px; font-weight: 600; margin: 0 0 8px; color: var(--greenlight-fg); }
.greenlight-subheading { font-size: 14px; font-weight: 600; margin: 14px 0 6px; color: var(--greenlight-fg); }
.greenlight-muted { color: var(--greenlight-muted); }
.greenlight-link { color: var(--greenlight-link); text-decoration: none; }
.greenlight-link:hover { text-decoration: underline; }
.greenlight-mono { font-family: Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; overflow-wrap: anywhere; }
/* Identifiers wrap at their separators (<wbr>), never inside a piece. */
.greenlight-ident { overflow-wrap: normal; word-break: normal; }
.greenlight-ident__part { white-space: nowrap; }
.greenlight-button {
  font: inherit; color: var(--greenlight-fg); background: var(--greenlight-surface);
  border: 1px solid var(--greenlight-border); border-radius: 4px; padding: 3px 10px; cursor: pointer;
}
.greenlight-button:hover { border-color: var(--greenlight-link); }
.greenlight-button:disabled { opacity: 0.5; cursor: default; }
.greenlight-table { width: 100%; border-collapse: collapse; background: var(--greenlight-bg); }
.greenlight-table th, .greenlight-table td {
  text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--greenlight-border);
}
.greenlight-table th { font-size: 11px; text-transform: uppercase; letter-spacing: 0.03em; color: var(--greenlight-muted); font-weight: 600; }
/* The verdict column's detail is prose with long paths in it: it may wrap anywhere, so the column
   never widens the table past the page. Below 1280 px, cells are tighter. */
.greenlight-table td:last-child .greenlight-detail { overflow-wrap: anywhere; min-width: 8em; }
@media (max-width: 1279px) {
  .greenlight-table th, .greenlight-table td { padding: 4px 5px; }
  .greenlight-table th { letter-spacing: 0; }
  /* The fleet table has a family column more: it gives up the last operation, which the verdict
     names when it failed and each app's Parity view shows. */
  .greenlight-table--fleet .greenlight-col--operation { display: none; }
}
.greenlight-table tr.greenlight-row--current td { background: var(--greenlight-surface); }
.greenlight-table td.greenlight-family-cell { font-weight: 600; border-right: 1px solid var(--greenlight-border); }
.greenlight-badge {
  display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; white-space: nowrap;
  border: 1px solid transparent;
}
.greenlight-tone--ok { color: var(--greenlight-ok); background: var(--greenlight-ok-bg); }
.greenlight-tone--info { color: var(--greenlight-info); background: var(--greenlight-info-bg); }
.greenlight-tone--warn { color: var(--greenlight-warn); background: var(--greenlight-warn-bg); }
.greenlight-tone--bad { color: var(--greenlight-bad); background: var(--greenlight-bad-bg); }
.greenlight-role--blue { color: var(--greenlight-blue); font-weight: 600; }
.greenlight-role--green { color: var(--greenlight-green); font-weight: 600; }
.greenlight-detail { display: block; color: var(--greenlight-muted); font-size: 12px; margin-top: 2px; }
.greenlight-state {
  padding: 16px; border: 1px dashed var(--greenlight-border); border-radius: 6px; background: var(--greenlight-surface);
}
.greenlight-state--error { border-style: solid; border-color: var(--greenlight-bad); background: var(--greenlight-bad-bg); }
.greenlight-state__title { font-weight: 600; margin: 0 0 4px; }
.greenlight-state p { margin: 4px 0; }
.greenlight-code {
  display: block; white-space: pre; overflow-x: auto; padding: 8px 10px; margin: 6px 0; border-radius: 4px;
  background: var(--greenlight-surface); border: 1px solid var(--greenlight-border);
  font-family: Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; color: var(--greenlight-fg);
}
.greenlight-counts { display: flex; flex-wrap: wrap; gap: 10px; margin: 0 0 12px; padding: 0; list-style: none; }
.greenlight-count { min-width: 110px; padding: 8px 12px; border-radius: 6px; border: 1px solid var(--greenlight-border); background: var(--greenlight-surface); }
.greenlight-count__value { display: block; font-size: 20px; font-weight: 600; }
.greenlight-count__label { display: block; font-size: 12px; color: var(--greenlight-muted); }
.greenlight-filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 0 0 12px; }
.greenlight-filters label { display: inline-flex; gap: 6px; align-items: center; }
.greenlight-input, .greenlight-select {
  font: inherit; color: var(--greenlight-fg); background: var(--greenlight-bg);
  border: 1px solid var(--greenlight-border); border-radius: 4px; padding: 3px 6px;
}
.greenlight-pager { display: flex; gap: 10px; align-items: center; margin: 10px 0; }
.greenlight-side-by-side { display: grid; grid-template-columns: minmax(160px, 1fr) repeat(var(--greenlight-columns, 2), minmax(0, 2fr)); border: 1px solid var(--greenlight-border); border-radius: 6px; overflow: hidden; }
.greenlight-side-by-side > div { padding: 5px 8px; border-bottom: 1px solid var(--greenlight-border); }
.greenlight-side-by-side__head { font-weight: 600; background: var(--greenlight-surface); }
.greenlight-side-by-side__key { color: var(--greenlight-muted); }
.greenlight-side-by-side__cell--differs { background: var(--greenlight-warn-bg); }
.greenlight-differences { margin: 6px 0 0; padding: 0; list-style: none; }
.greenlight-difference { padding: 6px 8px; border-left: 3px solid var(--greenlight-border); margin: 0 0 6px; background: var(--greenlight-surface); }
.greenlight-difference--unexpected { border-left-color: var(--greenlight-bad); }
.greenlight-difference--expected { border-left-color: var(--greenlight-ok); }
.greenlight-difference__values { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; margin-top: 2px; }
/* The status-panel item sits in Argo CD's status panel (application-status-panel.scss/.tsx, v3.4.7
   and v3.5.1), after Argo CD's own items, in a row that never wraps and scrolls sideways: at 1280
   px on 3.5 with an OutOfSync app about 110 px are left for it. So: no background or colour of
   ours, the host's text colour; narrower padding than Argo CD's 20 px; the title as Argo CD draws
   its own (12px, weight 600, ARGO_GRAY6 #6D7F8B, which its inline style sets over the panel's
   themed label rule, hence the specificity here); the value wraps between words within 6em; the
   state's dot in Argo CD's colours (shared/components/colors.ts). The hint and the error take the
   item's width without adding to it (width 0, min-width 100%) and end in an ellipsis; their full
   text is the tooltip. */
.greenlight.greenlight-status { background: none; color: inherit; font-size: inherit; line-height: inherit; padding: 5px 12px; }
.application-status-panel__item.greenlight-status .greenlight-status__title {
  display: flex; align-items: flex-start; font-size: 12px; font-weight: 600; color: #6D7F8B; min-height: 18px; margin: 0; white-space: nowrap;
}
.greenlight-status__value {
  display: flex; align-items: baseline; max-width: 6em; margin: 2px 0 4px; padding: 0; border: 0; background: none;
  font: inherit; font-size: 13px; font-weight: 500; line-height: 1.3; color: inherit; text-align: left; cursor: pointer;
}
.greenlight-status__dot { flex: none; margin-right: 4px; font-size: 0.75em; }
.greenlight-status__dot--ok { color: #18BE94; }
.greenlight-status__dot--info { color: #0DADEA; }
.greenlight-status__dot--warn { color: #f4c030; }
.greenlight-status__dot--bad { color: #E96D76; }
.greenlight-status__dot--unknown { color: #CCD6DD; }
.greenlight-status__hint {
  display: block; width: 0; min-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap;
}
.greenlight-status .greenlight-status__retry { align-self: flex-start; margin: 0 0 3px; padding: 0 6px; font-size: 11px; line-height: 1.4; }
.greenlight-error { padding: 12px; border: 1px solid var(--greenlight-bad); border-radius: 6px; background: var(--greenlight-bad-bg); color: var(--greenlight-fg); }
.greenlight-readiness { padding: 8px 12px; margin: 0 0 10px; border: 1px solid var(--greenlight-border); border-left-width: 4px; border-radius: 6px; }
.greenlight-readiness--ready { border-left-color: var(--greenlight-ok); }
.greenlight-readiness--blocked { border-left-color: var(--greenlight-bad); }
.greenlight-readiness__headline { margin: 0 0 4px; }
.greenlight-findings { margin: 4px 0 8px; padding: 0; list-style: none; }
.greenlight-finding { padding: 6px 8px; margin: 0 0 6px; border-left: 3px solid var(--greenlight-border); background: var(--greenlight-surface); }
.greenlight-finding--blocker { border-left-color: var(--greenlight-bad); }
.greenlight-finding--warning { border-left-color: var(--greenlight-warn); }
.greenlight-finding__kind { font-weight: 600; }
.greenlight-finding__message { display: block; margin-top: 2px; overflow-wrap: anywhere; }
.greenlight-checks { margin: 4px 0 8px; padding: 0; list-style: none; }
.greenlight-checks > li { padding: 2px 0; }
.greenlight-readiness-lines { margin: 0 0 12px; padding: 0; list-style: none; }
.greenlight-readiness-line { padding: 6px 10px; margin: 0 0 6px; border: 1px solid var(--greenlight-border); border-radius: 6px; background: var(--greenlight-surface); }
.greenlight-readiness-line summary { cursor: pointer; margin-top: 4px; }
.greenlight-drift { padding: 5px 8px; margin: 0 0 5px; border-left: 3px solid var(--greenlight-warn); background: var(--greenlight-surface); overflow-wrap: anywhere; }
.greenlight-drift[data-drift-class="stateful"] { border-left-color: var(--greenlight-bad); }
/* A signed-off finding stays on screen, greyed: accepted, not gone. */
.greenlight-drift--accepted { border-left-color: var(--greenlight-border); opacity: 0.7; }
.greenlight-drift--accepted > .greenlight-ident { text-decoration: line-through; text-decoration-color: var(--greenlight-muted); }
.greenlight-drift-namespace { margin: 6px 0 8px; }
.greenlight-drift-namespace__title { font-size: 13px; font-weight: 600; margin: 8px 0 4px; color: var(--greenlight-fg); }
.greenlight-drift-kind { display: block; font-size: 12px; font-weight: 600; color: var(--greenlight-muted); margin: 2px 0; }
.greenlight-drift-tallies, .greenlight-drift-gaps { margin: 4px 0 6px; padding-left: 18px; }
.greenlight-more { margin: 2px 0 8px; }
.greenlight-evidence { display: grid; grid-template-columns: minmax(6em, max-content) minmax(0, 1fr); gap: 1px 10px; margin: 4px 0 0; font-size: 12px; }
.greenlight-evidence dt { color: var(--greenlight-muted); overflow-wrap: anywhere; }
.greenlight-evidence dd { margin: 0; }
.greenlight-evidence-toggle summary { cursor: pointer; font-size: 12px; color: var(--greenlight-muted); margin-top: 2px; }
.greenlight-table--gate { margin: 0 0 10px; table-layout: auto; }
.greenlight-table tr.greenlight-row--problem td { background: var(--greenlight-bad-bg); }
.greenlight-gate-line { display: block; margin-top: 4px; }
.greenlight-notice { padding: 6px 10px; margin: 0 0 10px; border-radius: 4px; background: var(--greenlight-warn-bg); color: var(--greenlight-fg); }
`;

interface StyleHost {
  adoptedStyleSheets?: CSSStyleSheet[];
}

/** Adds greenlight's CSS to the document once. */
export function ensureStyles(doc: Document = document): void {
  const host = doc as unknown as StyleHost;
  const marker = doc.documentElement;
  if (marker.hasAttribute('data-greenlight-styles') || doc.getElementById(STYLE_ELEMENT_ID)) return;
  marker.setAttribute('data-greenlight-styles', '');
  const view = doc.defaultView as (Window & { CSSStyleSheet?: { prototype: { replaceSync?: unknown } } }) | null;
  if (Array.isArray(host.adoptedStyleSheets) && typeof view?.CSSStyleSheet?.prototype.replaceSync === 'function') {
    const sheet = new (view.CSSStyleSheet as unknown as { new (): CSSStyleSheet })();
    sheet.replaceSync(CSS);
    host.adoptedStyleSheets = [...host.adoptedStyleSheets, sheet];
    return;
  }
  const style = doc.createElement('style');
  style.id = STYLE_ELEMENT_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}
