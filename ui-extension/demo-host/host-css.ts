/**
 * @module The demo host's CSS: a small Argo CD look-alike, with the rules that decide where an
 * extension's status-panel item lands reproduced from Argo CD's own sources (written here in our
 * own words, not copied):
 *
 * - argo-ui `src/styles/config.scss`, `theme.scss`, `main.scss` (the commit Argo CD 3.5.1 pins,
 *   c089d1d): body 16px Heebo in gray-7 (#495763); the breakpoints large 1024, xlarge 1200,
 *   xxlarge 1440, xxxlarge 1820 px; theme `text-1` (light #495763, dark #DEE6EB),
 *   `background-2` (light #fff, dark #303237), `border` (light #DEE6EB, dark #495763);
 *   foundation's flex `.row` (max-width 100%, i.e. `$global-width`).
 * - argo-cd `ui/src/app/shared/config.scss` and `shared/components/page/page.scss` (v3.4.7,
 *   v3.5.1): a fixed 230 px sidebar, the page padded left by as much.
 * - argo-cd `ui/src/app/applications/components/application-status-panel/application-status-panel.scss`
 *   and `.tsx` (v3.4.7, v3.5.1): `.application-status-panel.row` does not wrap, scrolls sideways
 *   (`overflow-x: auto`) and is 0.875em; each `__item` is a column that never shrinks
 *   (`flex: 0 0 auto`), 0.8em, padded 5px 20px, with a left border after the first; the titles are
 *   inline-styled 12px, weight 600, ARGO_GRAY6 (#6D7F8B); `__item-name` and (from 3.5) the sync
 *   revision have responsive min/max widths (250/300 px from 1200, 325/350 from 1440, 375/450
 *   from 1820); extension items are mounted last, inside the panel, as its flex children.
 * - argo-cd `ui/src/app/shared/components/colors.ts`: the status colours.
 */

/** Argo CD's state colours (shared/components/colors.ts). */
export const ARGO_COLORS = {
  success: '#18BE94',
  warning: '#f4c030',
  failed: '#E96D76',
  running: '#0DADEA',
  gray4: '#CCD6DD',
  gray6: '#6D7F8B',
  suspended: '#766f94',
} as const;

export type HostLine = '3.4' | '3.5';

const SIDEBAR_PX = 230;

/** The responsive widths of `__item-name` (both lines) and of the sync revision (3.5). */
const responsiveWidths = (selector: string) => `
@media screen and (min-width: 1024px) { ${selector} { max-width: 250px; } }
@media screen and (min-width: 1200px) { ${selector} { min-width: 250px; max-width: 300px; } }
@media screen and (min-width: 1440px) { ${selector} { min-width: 325px; max-width: 350px; } }
@media screen and (min-width: 1820px) { ${selector} { min-width: 375px; max-width: 450px; } }`;

const COMMON = `
html { box-sizing: border-box; }
*, *::before, *::after { box-sizing: inherit; }
body { margin: 0; font-family: Heebo, sans-serif; font-size: 16px; font-weight: normal; color: #495763; background: #DEE6EB; }
a, a:hover { color: #00A2B3; }
.theme-light { background: #DEE6EB; color: #495763; min-height: 100vh; }
.theme-dark { background: #100f0f; color: #DEE6EB; min-height: 100vh; }
@media screen and (max-width: 1023.98px) { .show-for-large { display: none !important; } }

.sidebar { position: fixed; top: 0; left: 0; width: ${SIDEBAR_PX}px; min-width: ${SIDEBAR_PX}px; height: 100vh; padding: 0 20px; overflow: auto; z-index: 2; color: #fff; background: #0f2733; }
.sidebar a, .sidebar button { display: block; width: 100%; text-align: left; color: #818d94; padding: 8px 0; text-decoration: none; background: none; border: 0; font: inherit; cursor: pointer; }
.sidebar a.host-active { color: #fff; }
.host-brand { font-weight: 500; font-size: 24px; margin: 1em 0; color: #fff; }
.page-wrapper { width: 100%; padding-left: ${SIDEBAR_PX}px; }
.host-page-title { margin: 0; padding: 14px 20px; font-size: 18px; font-weight: 500; }
.host-content { padding: 14px 20px; }
.host-views { display: flex; gap: 6px; padding: 10px 20px; }
.host-views button { font: inherit; padding: 4px 10px; border: 1px solid #8FA4B1; background: transparent; color: inherit; cursor: pointer; border-radius: 3px; }
.host-views button.host-active { background: #00A2B3; color: #fff; border-color: #00A2B3; }
.host-sliding-panel { position: fixed; top: 0; right: 0; bottom: 0; width: 70%; overflow: auto; box-shadow: -4px 0 16px rgba(0,0,0,.3); z-index: 10; }
.theme-light .host-sliding-panel { background: #fff; }
.theme-dark .host-sliding-panel { background: #28292a; }
.host-sliding-panel__close { float: right; margin: 10px; font: inherit; cursor: pointer; }
.host-table { border-collapse: collapse; width: 100%; }
.host-table td, .host-table th { padding: 6px 8px; border-bottom: 1px solid rgba(128,128,128,.3); text-align: left; }
.host-error { color: ${ARGO_COLORS.failed}; }
.host-refresh { font: inherit; margin: 6px 20px; padding: 2px 10px; border: 1px solid #8FA4B1; background: transparent; color: inherit; border-radius: 3px; cursor: pointer; }

.row { display: flex; flex-flow: row wrap; max-width: 100%; margin-left: auto; margin-right: auto; }
.application-status-panel { font-size: 0.875em; box-shadow: 1px 1px 2px rgba(0,0,0,.1); flex-wrap: nowrap; flex-shrink: 1; overflow-x: auto; padding-bottom: 0.5em; }
.theme-light .application-status-panel { background-color: #fff; color: #495763; }
.theme-dark .application-status-panel { background-color: #303237; color: #DEE6EB; }
.application-status-panel__more-button { margin-left: auto; font-size: 14px; line-height: 20px; display: flex; padding: 1px 5px; cursor: pointer; color: #6D7F8B; border: 1px solid #8FA4B1; background: transparent; border-radius: 3px; }
.application-status-panel__item { margin-top: 5px; padding: 5px 20px; font-size: 0.8em; line-height: 1.2; display: flex; flex-direction: column; justify-content: flex-start; flex-shrink: 0; flex-grow: 0; max-width: 100%; width: auto; }
.theme-light .application-status-panel__item { color: #495763; }
.theme-dark .application-status-panel__item { color: #DEE6EB; }
.theme-light .application-status-panel__item:not(:first-child) { border-left: 1px solid #DEE6EB; }
.theme-dark .application-status-panel__item:not(:first-child) { border-left: 1px solid #495763; }
.application-status-panel__item label { display: block; font-size: 13px; margin-right: 10px; }
.theme-light .application-status-panel__item label { color: #495763; }
.theme-dark .application-status-panel__item label { color: #DEE6EB; }
.application-status-panel__item-value { display: flex; align-items: baseline; margin-bottom: 0.5em; font-weight: 500; padding: 2px 0; font-size: 2em; overflow: hidden; text-overflow: ellipsis; }
.theme-light .application-status-panel__item-value { color: #495763; }
.theme-dark .application-status-panel__item-value { color: #DEE6EB; }
.application-status-panel__item-value i { font-size: 0.6em; font-style: normal; }
.application-status-panel__item-value--Running a, .application-status-panel__item-value--Terminating a { color: ${ARGO_COLORS.running}; }
.application-status-panel__item-value--Error a, .application-status-panel__item-value--Failed a { color: ${ARGO_COLORS.failed}; }
.application-status-panel__item-value--Succeeded a { color: ${ARGO_COLORS.success}; }
.application-status-panel__item-value__revision { font-size: 14px; font-weight: 500; padding-left: 8px; margin-bottom: 2px; }
.application-status-panel__item-name { margin: auto 0; max-width: 250px; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; text-overflow: ellipsis; }
${responsiveWidths('.application-status-panel__item-name')}
`;

/** 3.4.7: the sync revision is plain text in the theme's colour, as wide as it is. */
const LINE_34 = `
.theme-light .application-status-panel__item-value__revision { color: #495763; }
.theme-dark .application-status-panel__item-value__revision { color: #DEE6EB; }
`;

/** 3.5.1: the sync revision is a flex row with responsive min/max widths, the value may shrink. */
const LINE_35 = `
.application-status-panel__item-value { min-width: 0; }
.application-status-panel__item-value__revision { display: flex; align-items: baseline; gap: 0.25em; min-width: 0; max-width: 250px; flex-shrink: 1; overflow: hidden; }
${responsiveWidths('.application-status-panel__item-value__revision')}
.application-status-panel__item-value__revision-prefix, .application-status-panel__item-value__revision-sha { flex: 0 0 auto; white-space: nowrap; }
.application-status-panel__item-value__revision-main { flex: 1 1 auto; min-width: 0; overflow: hidden; max-width: 100%; }
.application-status-panel__item-value__revision-main > a { display: inline-flex; align-items: baseline; min-width: 0; max-width: 100%; }
.application-status-panel__item-value__revision-branch { min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
`;

export function hostCss(line: HostLine): string {
  return COMMON + (line === '3.5' ? LINE_35 : LINE_34);
}
